{#
    Shared SQL of the KPI, product and reliability marts. Each wide computation is written once,
    as CTEs, and used by both the wide mart (org rows) and the long-form metrics_daily__<domain>
    model (global and org rows), so the two can never disagree.

    Entities: every computation is done per (entity_type, entity_id): 'global'/'global' and
    'org'/<org_id>. Source rows are "scoped" by copying each row once for the global entity and once
    for its org (when the org is known), then grouped by entity.
#}

{#-
    The rows of int_entity_days a model computes: every day, or on an incremental build of a daily domain model
    the days from its first affected one on.
-#}
{% macro marts_entity_days() -%}
    select
        entity_type,
        entity_id,
        metric_date
    from {{ ref('int_entity_days') }}
    {%- if vitals.is_incremental_build() %}
    where metric_date >= {{ vitals.metrics_domain_from() }}
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
        'jobs_attempted', 'jobs_failed', 'job_failure_rate',
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

reliability_job_starts as (
    -- every settled job (success, or error: failed or timed out) in the period it was created
    select
        org_id,
        case when status = 'error' then 1 else 0 end as failed,
        {{ vitals.marts_period_columns('created_at', grain) }}
    from {{ ref('summarization_jobs') }}
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

reliability_job_outcomes as (
    select
        {{ keys | join(', ') }},
        count(*) as jobs_attempted,
        sum(failed) as jobs_failed
    from ({{ vitals.marts_scoped('reliability_job_starts', period_columns + ['failed']) }}) as scoped
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
        {{ vitals.safe_divide('jobs.quality_passed_jobs', 'jobs.successful_jobs') }} as quality_pass_rate,
        coalesce(outcomes.jobs_attempted, 0) as jobs_attempted,
        coalesce(outcomes.jobs_failed, 0) as jobs_failed,
        {{ vitals.safe_divide('outcomes.jobs_failed', 'outcomes.jobs_attempted') }} as job_failure_rate
    from reliability_periods as periods
    left join reliability_attempt_counts as attempts
        on {% for key in keys %}periods.{{ key }} = attempts.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join reliability_error_counts as errors
        on {% for key in keys %}periods.{{ key }} = errors.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join reliability_job_stats as jobs
        on {% for key in keys %}periods.{{ key }} = jobs.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join reliability_job_outcomes as outcomes
        on {% for key in keys %}periods.{{ key }} = outcomes.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
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
