{#-
    The product facts at (entity_type, entity_id, metric_date) grain, wide: global and per org, every business
    day from the entity's first event day to the as-of date. The one place the daily product metrics are
    computed; an incremental build recomputes only the days from the first affected one on.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

product_entity_days as (
    {{ vitals.marts_entity_days() }}
),

product_provider_days as (
    select
        provider_id,
        org_id,
        activity_date
    from {{ ref('int_provider_activity_days') }}
),

product_scoped_days as (
    {{ vitals.marts_scoped('product_provider_days', ['provider_id', 'activity_date']) }}
),

product_active as (
    -- distinct active providers over the trailing 1, 7 and 30 days (day - 29 .. day)
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.metric_date,
        count(
            distinct case
                when provider_days.activity_date = entity_days.metric_date then provider_days.provider_id
            end
        ) as dau,
        count(
            distinct case
                when provider_days.activity_date >= {{ vitals.add_days('entity_days.metric_date', -6) }}
                    then provider_days.provider_id
            end
        ) as wau,
        count(distinct provider_days.provider_id) as mau
    from product_entity_days as entity_days
    left join product_scoped_days as provider_days
        on
            entity_days.entity_type = provider_days.entity_type
            and entity_days.entity_id = provider_days.entity_id
            and entity_days.metric_date >= provider_days.activity_date
            and provider_days.activity_date >= {{ vitals.add_days('entity_days.metric_date', -29) }}
    group by entity_days.entity_type, entity_days.entity_id, entity_days.metric_date
),

product_jobs as (
    select
        job_id,
        org_id,
        provider_id,
        feature,
        {{ vitals.business_date('created_at') }} as job_date
    from {{ ref('summarization_jobs') }}
),

product_scoped_jobs as (
    {{ vitals.marts_scoped('product_jobs', ['job_id', 'provider_id', 'feature', 'job_date']) }}
),

product_features as (
    -- jobs (any outcome, by created_at) of the trailing 28 days (day - 27 .. day)
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.metric_date,
        count(jobs.job_id) as jobs_28d,
        {{ vitals.count_if("jobs.feature = 'auto_coding'") }} as auto_coding_jobs_28d,
        {{ vitals.count_if("jobs.feature = 'note'") }} as note_jobs_28d,
        count(distinct jobs.provider_id) as job_providers_28d,
        count(distinct case when jobs.feature = 'auto_coding' then jobs.provider_id end)
            as auto_coding_providers_28d,
        count(distinct case when jobs.feature = 'note' then jobs.provider_id end) as note_providers_28d
    from product_entity_days as entity_days
    left join product_scoped_jobs as jobs
        on
            entity_days.entity_type = jobs.entity_type
            and entity_days.entity_id = jobs.entity_id
            and entity_days.metric_date >= jobs.job_date
            and jobs.job_date >= {{ vitals.add_days('entity_days.metric_date', -27) }}
    group by entity_days.entity_type, entity_days.entity_id, entity_days.metric_date
),

product_success_days as (
    {{ vitals.marts_provider_success_days_select() }}
),

product_scoped_success_days as (
    {{ vitals.marts_scoped('product_success_days', ['provider_id', 'success_date']) }}
),

product_provider_success_7d as (
    -- days with a successful job in the trailing 7 days, per provider
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.metric_date,
        success_days.provider_id,
        count(*) as success_days_7d
    from product_entity_days as entity_days
    inner join product_scoped_success_days as success_days
        on
            entity_days.entity_type = success_days.entity_type
            and entity_days.entity_id = success_days.entity_id
            and entity_days.metric_date >= success_days.success_date
            and success_days.success_date >= {{ vitals.add_days('entity_days.metric_date', -6) }}
    group by entity_days.entity_type, entity_days.entity_id, entity_days.metric_date, success_days.provider_id
),

product_power as (
    select
        entity_type,
        entity_id,
        metric_date,
        {{ vitals.count_if('success_days_7d >= ' ~ vitals.marts_power_user_min_days()) }} as power_users
    from product_provider_success_7d
    group by entity_type, entity_id, metric_date
),

product_wide as (
    select
        active.entity_type,
        active.entity_id,
        active.metric_date,
        active.dau,
        active.wau,
        active.mau,
        {{ vitals.safe_divide('active.dau', 'active.mau') }} as stickiness_dau_mau,
        {{ vitals.safe_divide('active.wau', 'active.mau') }} as stickiness_wau_mau,
        {{ vitals.safe_divide('features.auto_coding_jobs_28d', 'features.jobs_28d') }} as auto_coding_job_share_28d,
        {{ vitals.safe_divide('features.note_jobs_28d', 'features.jobs_28d') }} as note_job_share_28d,
        {{ vitals.safe_divide('features.auto_coding_providers_28d', 'features.job_providers_28d') }}
            as auto_coding_provider_share_28d,
        {{ vitals.safe_divide('features.note_providers_28d', 'features.job_providers_28d') }}
            as note_provider_share_28d,
        coalesce(power.power_users, 0) as power_users,
        {{ vitals.safe_divide('coalesce(power.power_users, 0)', 'active.wau') }} as power_user_share
    from product_active as active
    inner join product_features as features
        on
            active.entity_type = features.entity_type
            and active.entity_id = features.entity_id
            and active.metric_date = features.metric_date
    left join product_power as power
        on
            active.entity_type = power.entity_type
            and active.entity_id = power.entity_id
            and active.metric_date = power.metric_date
)

select * from product_wide
