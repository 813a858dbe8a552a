{#-
    One row per optional domain source (SPEC 2.5): connected once staging keeps at least one of its
    rows at the as-of time. Metrics that need a source that is not connected report "source not
    connected" (the API, `vitals metrics show`, the alert engine) instead of a number.
-#}

with

nps as (
    select
        'nps_responses' as source_name,
        count(*) as rows_kept,
        min(responded_at) as first_at,
        max(responded_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_nps__responses') }}
),

final as (
    select
        source_name,
        rows_kept > 0 as connected,
        rows_kept,
        first_at,
        newest_at,
        loaded_through
    from nps
)

select * from final
