{#-
    Seed 000 "lowest activity windows": the 5 business-time-zone clock hours (over the whole
    history) with the fewest successful jobs, among the hours that had any (as in the seed); ties go
    to the earlier hour. quiet_hour_events is that hour's app events (deduplicated), to compare traffic.
-#}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

job_hours as (
    select {{ dbt.date_trunc('hour', vitals.to_business_time('completed_at')) }} as hour_start
    from jobs
    where status = 'success' and completed_at is not null
),

hourly_jobs as (
    select
        hour_start,
        count(*) as jobs_count
    from job_hours
    group by hour_start
),

ranked as (
    select
        hour_start,
        jobs_count,
        row_number() over (order by jobs_count asc, hour_start asc) as quiet_rank
    from hourly_jobs
),

quietest as (
    select
        quiet_rank,
        hour_start,
        jobs_count
    from ranked
    where quiet_rank <= 5
),

event_hours as (
    select {{ dbt.date_trunc('hour', vitals.to_business_time('occurred_at')) }} as hour_start
    from events
),

hourly_events as (
    select
        hour_start,
        count(*) as events_count
    from event_hours
    group by hour_start
),

final as (
    select
        quietest.quiet_rank,
        quietest.hour_start,
        quietest.jobs_count as quiet_hour_jobs,
        coalesce(hourly_events.events_count, 0) as quiet_hour_events
    from quietest
    left join hourly_events
        on quietest.hour_start = hourly_events.hour_start
)

select * from final
