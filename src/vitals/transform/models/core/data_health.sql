{#-
    One row per source table at the as-of time. Raw rows are read again only to count them
    (with the same timestamp rule as staging): everything else comes from the staging models.
-#}

with

raw_events as (
    select {{ vitals.clean_text('occurred_at') }} as happened_at_text
    from {{ source('app', 'events_big') }}
),

raw_invoices as (
    select {{ vitals.clean_text('period_start') }} as happened_at_text
    from {{ source('stripe', 'stripe_billing_big') }}
),

raw_errors as (
    select {{ vitals.clean_text('created_at') }} as happened_at_text
    from {{ source('sentry', 'sentry_errors_big') }}
),

events as (
    select * from {{ ref('stg_app__events') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

jobs as (
    select * from {{ ref('int_jobs_derived') }}
),

raw_counts as (
    -- rows not in the future of the as-of time (rows whose time does not parse included)
    select
        'events_big' as source_table,
        count(*) as rows_raw
    from raw_events
    where
        {{ vitals.parse_utc_timestamp('happened_at_text') }} is null
        or {{ vitals.parse_utc_timestamp('happened_at_text') }} <= {{ vitals.as_of() }}

    union all

    select
        'stripe_billing_big' as source_table,
        count(*) as rows_raw
    from raw_invoices
    where
        {{ vitals.parse_utc_timestamp('happened_at_text') }} is null
        or {{ vitals.parse_utc_timestamp('happened_at_text') }} <= {{ vitals.as_of() }}

    union all

    select
        'sentry_errors_big' as source_table,
        count(*) as rows_raw
    from raw_errors
    where
        {{ vitals.parse_utc_timestamp('happened_at_text') }} is null
        or {{ vitals.parse_utc_timestamp('happened_at_text') }} <= {{ vitals.as_of() }}
),

jobs_left_out as (
    select count(*) as jobs_unknown_org
    from jobs
    where org_id is null and not is_pending
),

staged_counts as (
    select
        'events_big' as source_table,
        count(*) as rows_kept,
        coalesce(sum(duplicates_dropped), 0) as duplicates_dropped,
        sum(
            case
                when has_invalid_org_id or has_invalid_provider_id or has_invalid_user_id then 1
                else 0
            end
        ) as invalid_id_rows,
        sum(case when has_invalid_properties then 1 else 0 end) as invalid_json_rows,
        sum(case when org_id is null then 1 else 0 end) as unknown_org_rows,
        max(occurred_at) as newest_at
    from events

    union all

    select
        'stripe_billing_big' as source_table,
        count(*) as rows_kept,
        coalesce(sum(duplicates_dropped), 0) as duplicates_dropped,
        sum(case when has_invalid_org_id then 1 else 0 end) as invalid_id_rows,
        0 as invalid_json_rows,
        sum(case when org_id is null then 1 else 0 end) as unknown_org_rows,
        max(period_start) as newest_at
    from invoices

    union all

    select
        'sentry_errors_big' as source_table,
        count(*) as rows_kept,
        coalesce(sum(duplicates_dropped), 0) as duplicates_dropped,
        sum(case when has_invalid_ids then 1 else 0 end) as invalid_id_rows,
        sum(case when has_invalid_tags or has_invalid_contexts then 1 else 0 end) as invalid_json_rows,
        sum(case when org_id is null then 1 else 0 end) as unknown_org_rows,
        max(created_at) as newest_at
    from errors
),

final as (
    select
        raw_counts.source_table,
        {{ vitals.as_of() }} as as_of,
        cast(raw_counts.rows_raw as {{ dbt.type_bigint() }}) as rows_raw,
        cast(staged_counts.rows_kept as {{ dbt.type_bigint() }}) as rows_kept,
        cast(staged_counts.duplicates_dropped as {{ dbt.type_bigint() }}) as duplicates_dropped,
        cast(
            raw_counts.rows_raw - staged_counts.rows_kept - staged_counts.duplicates_dropped
            as {{ dbt.type_bigint() }}
        ) as rows_rejected,
        cast(coalesce(staged_counts.invalid_id_rows, 0) as {{ dbt.type_bigint() }}) as invalid_id_rows,
        cast(coalesce(staged_counts.invalid_json_rows, 0) as {{ dbt.type_bigint() }}) as invalid_json_rows,
        cast(coalesce(staged_counts.unknown_org_rows, 0) as {{ dbt.type_bigint() }}) as unknown_org_rows,
        cast(
            case when raw_counts.source_table = 'events_big' then jobs_left_out.jobs_unknown_org else 0 end
            as {{ dbt.type_bigint() }}
        ) as jobs_unknown_org,
        staged_counts.newest_at,
        case
            when staged_counts.newest_at is not null
                then {{ vitals.seconds_between('staged_counts.newest_at', vitals.as_of()) }}
        end as freshness_lag_sec
    from raw_counts
    inner join staged_counts
        on raw_counts.source_table = staged_counts.source_table
    cross join jobs_left_out
)

select * from final
