{#-
    Data health per source and business day (global grain), in long form: kept rows, duplicates
    dropped, ids that did not parse, rows of no known org and invalid JSON, each dated by the row's
    own time (occurred_at, period_start, created_at); plus summarization jobs of no known org (by
    created_at). Every day from the first day of any source to the as-of date; freshness and rows
    whose time does not parse exist only at the as-of time (mart_data_health).
-#}

{% set metrics = [
    'events_rows', 'events_duplicates_dropped', 'events_invalid_id_rows', 'events_invalid_json_rows',
    'events_unknown_org_rows', 'invoices_rows', 'invoices_duplicates_dropped', 'invoices_invalid_id_rows',
    'invoices_unknown_org_rows', 'sentry_errors_rows', 'sentry_errors_duplicates_dropped',
    'sentry_errors_invalid_id_rows', 'sentry_errors_invalid_json_rows', 'sentry_errors_unknown_org_rows',
    'unknown_org_jobs',
] %}

with

events as (
    select
        {{ vitals.business_date('occurred_at') }} as metric_date,
        duplicates_dropped,
        case when has_invalid_org_id or has_invalid_provider_id or has_invalid_user_id then 1 else 0 end
            as invalid_id,
        case when has_invalid_properties then 1 else 0 end as invalid_json,
        case when org_id is null then 1 else 0 end as unknown_org
    from {{ ref('stg_app__events') }}
),

invoices as (
    select
        {{ vitals.business_date('period_start') }} as metric_date,
        duplicates_dropped,
        case when has_invalid_org_id then 1 else 0 end as invalid_id,
        case when org_id is null then 1 else 0 end as unknown_org
    from {{ ref('stg_stripe__invoices') }}
),

errors as (
    select
        {{ vitals.business_date('created_at') }} as metric_date,
        duplicates_dropped,
        case when has_invalid_ids then 1 else 0 end as invalid_id,
        case when has_invalid_tags or has_invalid_contexts then 1 else 0 end as invalid_json,
        case when org_id is null then 1 else 0 end as unknown_org
    from {{ ref('stg_sentry__errors') }}
),

unknown_org_jobs as (
    select {{ vitals.business_date('created_at') }} as metric_date
    from {{ ref('int_jobs_derived') }}
    where org_id is null and not is_pending
),

bounds as (
    select min(metric_date) as start_day
    from (
        select metric_date from events
        union all
        select metric_date from invoices
        union all
        select metric_date from errors
    ) as all_days
    having count(*) > 0
),

days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'bounds') }}
),

event_days as (
    select
        metric_date,
        count(*) as events_rows,
        sum(duplicates_dropped) as events_duplicates_dropped,
        sum(invalid_id) as events_invalid_id_rows,
        sum(invalid_json) as events_invalid_json_rows,
        sum(unknown_org) as events_unknown_org_rows
    from events
    group by metric_date
),

invoice_days as (
    select
        metric_date,
        count(*) as invoices_rows,
        sum(duplicates_dropped) as invoices_duplicates_dropped,
        sum(invalid_id) as invoices_invalid_id_rows,
        sum(unknown_org) as invoices_unknown_org_rows
    from invoices
    group by metric_date
),

error_days as (
    select
        metric_date,
        count(*) as sentry_errors_rows,
        sum(duplicates_dropped) as sentry_errors_duplicates_dropped,
        sum(invalid_id) as sentry_errors_invalid_id_rows,
        sum(invalid_json) as sentry_errors_invalid_json_rows,
        sum(unknown_org) as sentry_errors_unknown_org_rows
    from errors
    group by metric_date
),

job_days as (
    select
        metric_date,
        count(*) as unknown_org_jobs
    from unknown_org_jobs
    group by metric_date
),

data_health_wide as (
    select
        days.day as metric_date,
        'global' as entity_type,
        'global' as entity_id,
        coalesce(event_days.events_rows, 0) as events_rows,
        coalesce(event_days.events_duplicates_dropped, 0) as events_duplicates_dropped,
        coalesce(event_days.events_invalid_id_rows, 0) as events_invalid_id_rows,
        coalesce(event_days.events_invalid_json_rows, 0) as events_invalid_json_rows,
        coalesce(event_days.events_unknown_org_rows, 0) as events_unknown_org_rows,
        coalesce(invoice_days.invoices_rows, 0) as invoices_rows,
        coalesce(invoice_days.invoices_duplicates_dropped, 0) as invoices_duplicates_dropped,
        coalesce(invoice_days.invoices_invalid_id_rows, 0) as invoices_invalid_id_rows,
        coalesce(invoice_days.invoices_unknown_org_rows, 0) as invoices_unknown_org_rows,
        coalesce(error_days.sentry_errors_rows, 0) as sentry_errors_rows,
        coalesce(error_days.sentry_errors_duplicates_dropped, 0) as sentry_errors_duplicates_dropped,
        coalesce(error_days.sentry_errors_invalid_id_rows, 0) as sentry_errors_invalid_id_rows,
        coalesce(error_days.sentry_errors_invalid_json_rows, 0) as sentry_errors_invalid_json_rows,
        coalesce(error_days.sentry_errors_unknown_org_rows, 0) as sentry_errors_unknown_org_rows,
        coalesce(job_days.unknown_org_jobs, 0) as unknown_org_jobs
    from days
    left join event_days
        on days.day = event_days.metric_date
    left join invoice_days
        on days.day = invoice_days.metric_date
    left join error_days
        on days.day = error_days.metric_date
    left join job_days
        on days.day = job_days.metric_date
),

final as (
    {{ vitals.marts_unpivot('data_health_wide', metrics) }}
)

select * from final
