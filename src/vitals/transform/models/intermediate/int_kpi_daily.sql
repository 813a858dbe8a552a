{#-
    The KPI facts at (entity_type, entity_id, metric_date) grain, wide: global and per org, every business day
    from the entity's first event day to the as-of date. The one place the KPIs are computed; an incremental
    build recomputes only the days from the first affected one on.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

kpi_entity_days as (
    {{ vitals.marts_entity_days() }}
),

kpi_success_jobs as (
    select
        jobs.job_id,
        jobs.org_id,
        jobs.provider_id,
        {{ vitals.business_date('jobs.completed_at') }} as success_date,
        case when providers.role = 'doctor' then 1 else 0 end as is_doctor,
        case when {{ vitals.marts_quality_pass('jobs.quality_score', 'jobs.hard_error') }} then 1 else 0 end as passed
    from {{ ref('summarization_jobs') }} as jobs
    left join {{ ref('providers') }} as providers
        on jobs.provider_id = providers.provider_id
    where jobs.status = 'success'
),

kpi_scoped_jobs as (
    {{ vitals.marts_scoped('kpi_success_jobs', ['job_id', 'provider_id', 'success_date', 'is_doctor', 'passed']) }}
),

kpi_jobs_trailing as (
    -- successful jobs of the trailing 7 days (day - 6 .. day) of each entity and day
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.metric_date,
        count(
            distinct case
                when jobs.success_date = entity_days.metric_date and jobs.is_doctor = 1 then jobs.provider_id
            end
        ) as dad,
        {{ vitals.count_if('jobs.success_date = entity_days.metric_date') }} as successful_jobs,
        count(distinct case when jobs.is_doctor = 1 then jobs.provider_id end) as active_doctors_7d,
        {{ vitals.count_if('jobs.is_doctor = 1') }} as doctor_successful_jobs_7d,
        count(jobs.job_id) as successful_jobs_7d,
        {{ vitals.count_if('jobs.passed = 1') }} as quality_passed_jobs_7d
    from kpi_entity_days as entity_days
    left join kpi_scoped_jobs as jobs
        on
            entity_days.entity_type = jobs.entity_type
            and entity_days.entity_id = jobs.entity_id
            and entity_days.metric_date >= jobs.success_date
            and jobs.success_date >= {{ vitals.add_days('entity_days.metric_date', -6) }}
    group by entity_days.entity_type, entity_days.entity_id, entity_days.metric_date
),

kpi_first_success as (
    select
        provider_id,
        min(completed_at) as first_success_at
    from {{ ref('summarization_jobs') }}
    where status = 'success' and provider_id is not null
    group by provider_id
),

kpi_doctors as (
    -- joining day = business date of the doctor's first event; activated = first successful job
    -- on the joining day or one of the 6 days after it
    select
        providers.provider_id,
        providers.org_id,
        {{ vitals.business_date('providers.first_seen_at') }} as join_date,
        case
            when
                first_success.first_success_at is not null
                and {{ vitals.business_date('first_success.first_success_at') }}
                <= {{ vitals.add_days(vitals.business_date('providers.first_seen_at'), 6) }}
                then 1
            else 0
        end as activated
    from {{ ref('providers') }} as providers
    left join kpi_first_success as first_success
        on providers.provider_id = first_success.provider_id
    where providers.role = 'doctor'
),

kpi_scoped_doctors as (
    {{ vitals.marts_scoped('kpi_doctors', ['provider_id', 'join_date', 'activated']) }}
),

kpi_activation as (
    -- cohort of day D: doctors who joined D-12 .. D-6, whose 7-day windows have all ended by D
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.metric_date,
        count(doctors.provider_id) as activation_cohort_doctors,
        coalesce(sum(doctors.activated), 0) as activated_doctors
    from kpi_entity_days as entity_days
    left join kpi_scoped_doctors as doctors
        on
            entity_days.entity_type = doctors.entity_type
            and entity_days.entity_id = doctors.entity_id
            and doctors.join_date <= {{ vitals.add_days('entity_days.metric_date', -6) }}
            and doctors.join_date >= {{ vitals.add_days('entity_days.metric_date', -12) }}
    group by entity_days.entity_type, entity_days.entity_id, entity_days.metric_date
),

kpi_wide as (
    select
        jobs.entity_type,
        jobs.entity_id,
        jobs.metric_date,
        jobs.dad,
        jobs.successful_jobs,
        jobs.active_doctors_7d,
        jobs.doctor_successful_jobs_7d,
        {{ vitals.safe_divide('jobs.doctor_successful_jobs_7d', 'jobs.active_doctors_7d') }} as npad,
        activation.activation_cohort_doctors,
        activation.activated_doctors,
        {{ vitals.safe_divide('activation.activated_doctors', 'activation.activation_cohort_doctors') }}
            as new_doctor_activation_rate,
        jobs.successful_jobs_7d,
        jobs.quality_passed_jobs_7d,
        {{ vitals.safe_divide('jobs.quality_passed_jobs_7d', 'jobs.successful_jobs_7d') }} as quality_pass_rate_7d
    from kpi_jobs_trailing as jobs
    inner join kpi_activation as activation
        on
            jobs.entity_type = activation.entity_type
            and jobs.entity_id = activation.entity_id
            and jobs.metric_date = activation.metric_date
)

select * from kpi_wide
