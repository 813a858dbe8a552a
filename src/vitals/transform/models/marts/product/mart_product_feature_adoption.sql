{#-
    Feature adoption per business week (Monday), global and per org (the job's org): for each
    feature (note, auto_coding and any other seen), its jobs (any outcome, by created_at) and the
    providers who used it, and their shares of all jobs and of all providers with a job that week.
    Every week from the entity's first event week to the as-of week, for every feature.
-#}

with

jobs as (
    select
        job_id,
        org_id,
        provider_id,
        feature,
        {{ vitals.week_start(vitals.business_date('created_at')) }} as week_start
    from {{ ref('summarization_jobs') }}
),

scoped_jobs as (
    {{ vitals.marts_scoped('jobs', ['job_id', 'provider_id', 'feature', 'week_start']) }}
),

features as (
    select 'note' as feature
    union
    select 'auto_coding' as feature
    union
    select feature from jobs
),

entity_weeks as (
    select distinct
        entity_type,
        entity_id,
        week_start
    from {{ ref('int_entity_days') }}
),

week_totals as (
    select
        entity_type,
        entity_id,
        week_start,
        count(*) as total_jobs,
        count(distinct provider_id) as total_job_providers
    from scoped_jobs
    group by entity_type, entity_id, week_start
),

feature_totals as (
    select
        entity_type,
        entity_id,
        week_start,
        feature,
        count(*) as feature_jobs,
        count(distinct provider_id) as feature_providers
    from scoped_jobs
    group by entity_type, entity_id, week_start, feature
),

final as (
    select
        entity_weeks.week_start,
        entity_weeks.entity_type,
        entity_weeks.entity_id,
        features.feature,
        coalesce(feature_totals.feature_jobs, 0) as feature_jobs,
        coalesce(feature_totals.feature_providers, 0) as feature_providers,
        coalesce(week_totals.total_jobs, 0) as total_jobs,
        coalesce(week_totals.total_job_providers, 0) as total_job_providers,
        {{ vitals.safe_divide('coalesce(feature_totals.feature_jobs, 0)', 'week_totals.total_jobs') }}
            as feature_job_share,
        {{ vitals.safe_divide('coalesce(feature_totals.feature_providers, 0)', 'week_totals.total_job_providers') }}
            as feature_provider_share
    from entity_weeks
    cross join features
    left join week_totals
        on
            entity_weeks.entity_type = week_totals.entity_type
            and entity_weeks.entity_id = week_totals.entity_id
            and entity_weeks.week_start = week_totals.week_start
    left join feature_totals
        on
            entity_weeks.entity_type = feature_totals.entity_type
            and entity_weeks.entity_id = feature_totals.entity_id
            and entity_weeks.week_start = feature_totals.week_start
            and features.feature = feature_totals.feature
)

select * from final
