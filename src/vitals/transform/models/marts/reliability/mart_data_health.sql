{#- Data health per raw source at the as-of time (SPEC §6.6), from the core data_health table. -#}

with

health as (
    select * from {{ ref('data_health') }}
),

final as (
    select
        source_table,
        as_of,
        rows_raw,
        rows_kept,
        duplicates_dropped,
        rows_rejected,
        invalid_id_rows,
        invalid_json_rows,
        unknown_org_rows,
        jobs_unknown_org,
        newest_at,
        freshness_lag_sec,
        {{ vitals.safe_divide('duplicates_dropped', 'rows_raw') }} as duplicate_share,
        {{ vitals.safe_divide('rows_raw - rows_kept', 'rows_raw') }} as dropped_share
    from health
)

select * from final
