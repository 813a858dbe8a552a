{#
    Shared SQL of the KPI, product and reliability marts. Each wide computation is written once,
    as CTEs, and used by both the wide mart (org rows) and the long-form metrics_daily__<domain>
    model (global and org rows), so the two can never disagree.

    Entities: every computation is done per (entity_type, entity_id): 'global'/'global' and
    'org'/<org_id>. Source rows are "scoped" by copying each row once for the global entity and once
    for its org (when the org is known), then grouped by entity.
#}

{#-
    A SELECT of (entity_type, entity_id, metric_date): the global entity from the first business day
    with an app event, each org from its own first event day, every day up to the as-of date.
-#}
{% macro marts_entity_days() -%}
    {%- set starts -%}
        (
            select
                'global' as entity_type,
                'global' as entity_id,
                min({{ vitals.business_date('occurred_at') }}) as start_day
            from {{ ref('stg_app__events') }}
            having count(*) > 0
            union all
            select
                'org' as entity_type,
                org_id as entity_id,
                min({{ vitals.business_date('occurred_at') }}) as start_day
            from {{ ref('stg_app__events') }}
            where org_id is not null
            group by org_id
        ) as entity_starts
    {%- endset -%}
    select
        entity_type,
        entity_id,
        day as metric_date
    from ({{ vitals.date_spine_select('start_day', vitals.as_of_date(), starts, carry=['entity_type', 'entity_id']) }}) as entity_spine
    {%- if vitals.is_incremental_build() %}
    -- an incremental build of a daily domain model computes only the days from its first affected one on
    where day >= {{ vitals.metrics_domain_from() }}
    {%- endif %}
{%- endmacro %}

{#-
    `select <columns> from <relation>` twice: once as the global entity and once as the row's org
    (`org_column`), skipping rows without an org for the org copy.
-#}
{% macro marts_scoped(relation, columns, org_column='org_id') -%}
    select
        'global' as entity_type,
        'global' as entity_id,
        {{ columns | join(', ') }}
    from {{ relation }}
    union all
    select
        'org' as entity_type,
        {{ org_column }} as entity_id,
        {{ columns | join(', ') }}
    from {{ relation }}
    where {{ org_column }} is not null
{%- endmacro %}

{#-
    Long form of a wide relation: one row per (metric_date, metric, entity) with a non-null value,
    from vitals.metrics_from_date() on.
-#}
{% macro marts_unpivot(relation, metrics) -%}
    {%- for metric in metrics %}
    select
        metric_date,
        '{{ metric }}' as metric_name,
        entity_type,
        entity_id,
        cast({{ metric }} as {{ vitals.type_double() }}) as value
    from {{ relation }}
    where {{ metric }} is not null and metric_date >= {{ vitals.metrics_from_date() }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- True when a successful job passes the quality check (score >= 0.7 and no hard error). -#}
{% macro marts_quality_pass(score, hard_error) -%}
    ({{ score }} >= 0.7 and coalesce({{ hard_error }}, false) = false)
{%- endmacro %}

{# ================================================================ KPI #}

{% macro marts_kpi_metrics() -%}
    {{ return([
        'dad', 'successful_jobs', 'active_doctors_7d', 'doctor_successful_jobs_7d', 'npad',
        'activation_cohort_doctors', 'activated_doctors', 'new_doctor_activation_rate',
        'successful_jobs_7d', 'quality_passed_jobs_7d', 'quality_pass_rate_7d',
    ]) }}
{%- endmacro %}

{#-
    CTEs ending in `kpi_wide`: (entity_type, entity_id, metric_date) + every KPI of seed 000 §3.2
    but MRR. Successful jobs are dated by completed_at (the day the job succeeded); a job's org is
    its own org_id; a doctor is a provider whose role is doctor.
-#}
{% macro marts_kpi_ctes() -%}
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
            and jobs.success_date <= entity_days.metric_date
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
{%- endmacro %}

{# ================================================================ product #}

{% macro marts_product_metrics() -%}
    {{ return([
        'dau', 'wau', 'mau', 'stickiness_dau_mau', 'stickiness_wau_mau',
        'auto_coding_job_share_28d', 'note_job_share_28d',
        'auto_coding_provider_share_28d', 'note_provider_share_28d',
        'power_users', 'power_user_share',
    ]) }}
{%- endmacro %}

{#-
    (provider_id, org_id, activity_date): the business days on which a provider has at least one
    app event (any event name, any org on the event); org_id is the provider's org (providers.org_id).
-#}
{% macro marts_provider_days_select() -%}
    select distinct
        events.provider_id,
        providers.org_id,
        {{ vitals.business_date('events.occurred_at') }} as activity_date
    from {{ ref('stg_app__events') }} as events
    inner join {{ ref('providers') }} as providers
        on events.provider_id = providers.provider_id
{%- endmacro %}

{#-
    (provider_id, org_id, success_date): the business days on which a provider has at least one
    successful job (by completed_at); org_id is the provider's org.
-#}
{% macro marts_provider_success_days_select() -%}
    select distinct
        jobs.provider_id,
        providers.org_id,
        {{ vitals.business_date('jobs.completed_at') }} as success_date
    from {{ ref('summarization_jobs') }} as jobs
    inner join {{ ref('providers') }} as providers
        on jobs.provider_id = providers.provider_id
    where jobs.status = 'success'
{%- endmacro %}

{#- CTEs ending in `product_wide`: (entity_type, entity_id, metric_date) + the daily product metrics. -#}
{% macro marts_product_ctes() -%}
product_entity_days as (
    {{ vitals.marts_entity_days() }}
),

product_provider_days as (
    {{ vitals.marts_provider_days_select() }}
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
            and provider_days.activity_date <= entity_days.metric_date
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
            and jobs.job_date <= entity_days.metric_date
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
            and success_days.success_date <= entity_days.metric_date
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
{%- endmacro %}

{#- A power user has a successful job on at least this many of the trailing 7 days. -#}
{% macro marts_power_user_min_days() -%}
    4
{%- endmacro %}

{# ================================================================ reliability #}

{% macro marts_reliability_metrics() -%}
    {{ return([
        'attempt_events', 'error_events', 'error_rate_per_100_attempts',
        'duration_ms_p50', 'duration_ms_p95', 'summarize_ms_p50', 'summarize_ms_p95',
        'turnaround_slo_hit_rate', 'summarize_slo_hit_rate',
        'quality_passed_jobs', 'quality_pass_rate_1d',
    ]) }}
{%- endmacro %}

{#-
    CTEs ending in `reliability_wide`, keyed by (entity_type, entity_id, <period columns>), where the
    period is the business day (`grain='day'`: metric_date) or the business hour (`grain='hour'`:
    hour_start, metric_date, business_hour). Global rows count every row (also rows of no known org).
-#}
{% macro marts_reliability_ctes(grain='day') -%}
{%- if grain == 'day' -%}
    {%- set period_columns = ['metric_date'] -%}
{%- else -%}
    {%- set period_columns = ['hour_start', 'metric_date', 'business_hour'] -%}
{%- endif -%}
{%- set keys = ['entity_type', 'entity_id'] + period_columns -%}
reliability_attempts as (
    select
        org_id,
        {{ vitals.marts_period_columns('occurred_at', grain) }}
    from {{ ref('stg_app__events') }}
    where event_name in ('note_submit', 'summarize_start', 'note_save')
),

reliability_errors as (
    select
        org_id,
        {{ vitals.marts_period_columns('created_at', grain) }}
    from {{ ref('stg_sentry__errors') }}
    where level in ('error', 'fatal')
),

reliability_jobs as (
    select
        org_id,
        duration_ms,
        summarize_ms,
        case when duration_ms <= 600000 then 1 else 0 end as turnaround_hit,
        case when summarize_ms is not null then 1 else 0 end as has_summarize,
        case when summarize_ms <= 60000 then 1 else 0 end as summarize_hit,
        case when {{ vitals.marts_quality_pass('quality_score', 'hard_error') }} then 1 else 0 end as passed,
        {{ vitals.marts_period_columns('completed_at', grain) }}
    from {{ ref('summarization_jobs') }}
    where status = 'success'
),

reliability_attempt_counts as (
    select
        {{ keys | join(', ') }},
        count(*) as attempt_events
    from ({{ vitals.marts_scoped('reliability_attempts', period_columns) }}) as scoped
    group by {{ keys | join(', ') }}
),

reliability_error_counts as (
    select
        {{ keys | join(', ') }},
        count(*) as error_events
    from ({{ vitals.marts_scoped('reliability_errors', period_columns) }}) as scoped
    group by {{ keys | join(', ') }}
),

reliability_job_stats as (
    select
        {{ keys | join(', ') }},
        count(*) as successful_jobs,
        cast({{ vitals.percentile('duration_ms', 0.5) }} as {{ vitals.type_double() }}) as duration_ms_p50,
        cast({{ vitals.percentile('duration_ms', 0.95) }} as {{ vitals.type_double() }}) as duration_ms_p95,
        cast({{ vitals.percentile('summarize_ms', 0.5) }} as {{ vitals.type_double() }}) as summarize_ms_p50,
        cast({{ vitals.percentile('summarize_ms', 0.95) }} as {{ vitals.type_double() }}) as summarize_ms_p95,
        sum(turnaround_hit) as turnaround_slo_hits,
        sum(has_summarize) as summarize_timed_jobs,
        sum(summarize_hit) as summarize_slo_hits,
        sum(passed) as quality_passed_jobs
    from (
        {{ vitals.marts_scoped('reliability_jobs', period_columns + [
            'duration_ms', 'summarize_ms', 'turnaround_hit', 'has_summarize', 'summarize_hit', 'passed',
        ]) }}
    ) as scoped
    group by {{ keys | join(', ') }}
),

{% if grain == 'day' -%}
reliability_periods as (
    {{ vitals.marts_entity_days() }}
),
{%- else -%}
reliability_periods as (
    -- the hours with at least one attempt, error or successful job
    select {{ keys | join(', ') }} from reliability_attempt_counts
    union
    select {{ keys | join(', ') }} from reliability_error_counts
    union
    select {{ keys | join(', ') }} from reliability_job_stats
),
{%- endif %}

reliability_wide as (
    select
        {% for key in keys %}periods.{{ key }},
        {% endfor -%}
        coalesce(attempts.attempt_events, 0) as attempt_events,
        coalesce(errors.error_events, 0) as error_events,
        100 * {{ vitals.safe_divide('coalesce(errors.error_events, 0)', 'attempts.attempt_events') }}
            as error_rate_per_100_attempts,
        coalesce(jobs.successful_jobs, 0) as successful_jobs,
        jobs.duration_ms_p50,
        jobs.duration_ms_p95,
        jobs.summarize_ms_p50,
        jobs.summarize_ms_p95,
        {{ vitals.safe_divide('jobs.turnaround_slo_hits', 'jobs.successful_jobs') }} as turnaround_slo_hit_rate,
        {{ vitals.safe_divide('jobs.summarize_slo_hits', 'jobs.summarize_timed_jobs') }} as summarize_slo_hit_rate,
        coalesce(jobs.quality_passed_jobs, 0) as quality_passed_jobs,
        {{ vitals.safe_divide('jobs.quality_passed_jobs', 'jobs.successful_jobs') }} as quality_pass_rate
    from reliability_periods as periods
    left join reliability_attempt_counts as attempts
        on {% for key in keys %}periods.{{ key }} = attempts.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join reliability_error_counts as errors
        on {% for key in keys %}periods.{{ key }} = errors.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join reliability_job_stats as jobs
        on {% for key in keys %}periods.{{ key }} = jobs.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{%- endmacro %}

{#- The period columns of a UTC timestamp: metric_date (day), plus hour_start and business_hour (hour). -#}
{% macro marts_period_columns(expr, grain) -%}
    {%- if grain == 'day' -%}
        {{ vitals.business_date(expr) }} as metric_date
    {%- else -%}
        {{ dbt.date_trunc('hour', vitals.to_business_time(expr)) }} as hour_start,
        {{ vitals.business_date(expr) }} as metric_date,
        {{ vitals.business_hour(expr) }} as business_hour
    {%- endif -%}
{%- endmacro %}
