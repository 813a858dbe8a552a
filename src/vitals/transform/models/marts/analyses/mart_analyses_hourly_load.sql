{#-
    Seed 000 "average hourly load by day of week": for every business-time-zone weekday (dow,
    0 = Sunday as in the seed) and hour, the average count per day over the days that had any in
    that hour - of app events (deduplicated: one per event_id) and, separately, of successful jobs
    (by completed_at). All 7 x 24 slots are present; a slot never seen has averages and days of 0.
-#}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

weekdays as (
    {% for dow in range(7) %}
        select {{ dow }} as dow
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

hours as (
    {% for hour in range(24) %}
        select {{ hour }} as hour_of_day
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

slots as (
    -- the 7 x 24 grid
    select
        weekdays.dow,
        hours.hour_of_day
    from weekdays
    cross join hours
),

event_times as (
    select
        {{ vitals.business_date('occurred_at') }} as activity_date,
        {{ vitals.business_hour('occurred_at') }} as hour_of_day
    from events
),

event_day_hours as (
    select
        activity_date,
        hour_of_day,
        count(*) as events_count
    from event_times
    group by
        activity_date,
        hour_of_day
),

event_load as (
    select
        {{ vitals.iso_dow('activity_date') }} % 7 as dow,
        hour_of_day,
        events_count
    from event_day_hours
),

event_slots as (
    select
        dow,
        hour_of_day,
        avg(cast(events_count as {{ vitals.type_double() }})) as avg_events,
        count(*) as slot_event_days,
        cast(sum(events_count) as {{ dbt.type_bigint() }}) as slot_total_events
    from event_load
    group by
        dow,
        hour_of_day
),

job_times as (
    select
        {{ vitals.business_date('completed_at') }} as activity_date,
        {{ vitals.business_hour('completed_at') }} as hour_of_day
    from jobs
    where status = 'success' and completed_at is not null
),

job_day_hours as (
    select
        activity_date,
        hour_of_day,
        count(*) as jobs_count
    from job_times
    group by
        activity_date,
        hour_of_day
),

job_load as (
    select
        {{ vitals.iso_dow('activity_date') }} % 7 as dow,
        hour_of_day,
        jobs_count
    from job_day_hours
),

job_slots as (
    select
        dow,
        hour_of_day,
        avg(cast(jobs_count as {{ vitals.type_double() }})) as avg_successful_jobs,
        count(*) as slot_successful_job_days,
        cast(sum(jobs_count) as {{ dbt.type_bigint() }}) as slot_total_successful_jobs
    from job_load
    group by
        dow,
        hour_of_day
),

final as (
    select
        slots.dow,
        slots.hour_of_day,
        coalesce(event_slots.avg_events, 0) as avg_events,
        coalesce(event_slots.slot_event_days, 0) as slot_event_days,
        coalesce(event_slots.slot_total_events, 0) as slot_total_events,
        coalesce(job_slots.avg_successful_jobs, 0) as avg_successful_jobs,
        coalesce(job_slots.slot_successful_job_days, 0) as slot_successful_job_days,
        coalesce(job_slots.slot_total_successful_jobs, 0) as slot_total_successful_jobs
    from slots
    left join event_slots
        on
            slots.dow = event_slots.dow
            and slots.hour_of_day = event_slots.hour_of_day
    left join job_slots
        on
            slots.dow = job_slots.dow
            and slots.hour_of_day = job_slots.hour_of_day
)

select * from final
