{#-
    Health score per provider and business day (SPEC 6.5, seed 000): components over the trailing
    7 business days ending on the day, for every day the provider is active in the trailing 30 days
    (at least one summarization job). A component without data (no job, no note) is null and earns
    0 points.
-#}
{%- set cfg = vitals.cs_config() -%}
{%- set n = cfg['health_normalizers'] -%}
{%- set points = cfg['points'] -%}
{%- set score_terms = [] -%}
{%- for c in vitals.cs_components() -%}
    {%- do score_terms.append(points[c] ~ ' * coalesce(' ~ c ~ ', 0.0)') -%}
{%- endfor -%}

{{
    config(
        indexes=[
            {'columns': ['provider_id', 'metric_date'], 'unique': true},
            {'columns': ['org_id', 'metric_date']},
        ],
    )
}}

with

jobs as (
    select
        provider_id,
        status,
        patient_status,
        duration_ms,
        summarize_ms,
        {{ vitals.business_date('created_at') }} as job_date
    from {{ ref('summarization_jobs') }}
    where provider_id is not null
),

providers as (
    select
        provider_id,
        org_id
    from {{ ref('providers') }}
),

daily as (
    -- jobs (attempts), notes (successful jobs), reviews and errors per provider and job day
    select
        provider_id,
        job_date,
        count(*) as jobs,
        {{ vitals.count_if("status = 'success'") }} as notes,
        {{ vitals.count_if("status = 'success' and patient_status = 'Review'") }} as reviews,
        {{ vitals.count_if("status = 'error'") }} as errors
    from jobs
    group by provider_id, job_date
),

bounds as (
    select
        provider_id,
        min(job_date) as first_day
    from daily
    group by provider_id
),

spine as (
    -- one row per provider and day, from its first job day to the as-of date
    {{ vitals.date_spine_select('first_day', vitals.as_of_date(), 'bounds', carry=['provider_id']) }}
),

filled as (
    select
        spine.provider_id,
        spine.day,
        coalesce(daily.jobs, 0) as jobs,
        coalesce(daily.notes, 0) as notes,
        coalesce(daily.reviews, 0) as reviews,
        coalesce(daily.errors, 0) as errors,
        daily.job_date
    from spine
    left join daily
        on
            spine.provider_id = daily.provider_id
            and spine.day = daily.job_date
),

windowed as (
    -- the spine is dense, so 6 preceding rows + the day = the trailing 7 days
    select
        provider_id,
        day,
        cast(sum(jobs) over (
            partition by provider_id order by day rows between 6 preceding and current row
        ) as {{ dbt.type_bigint() }}) as jobs_7d,
        cast(sum(notes) over (
            partition by provider_id order by day rows between 6 preceding and current row
        ) as {{ dbt.type_bigint() }}) as notes_7d,
        cast(sum(reviews) over (
            partition by provider_id order by day rows between 6 preceding and current row
        ) as {{ dbt.type_bigint() }}) as reviews_7d,
        cast(sum(errors) over (
            partition by provider_id order by day rows between 6 preceding and current row
        ) as {{ dbt.type_bigint() }}) as errors_7d,
        max(job_date) over (
            partition by provider_id order by day rows between unbounded preceding and current row
        ) as last_job_date
    from filled
),

day_offsets as (
    {%- for offset in range(7) %}
        select {{ offset }} as day_offset
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

latency_samples as (
    -- each successful job counts on its day and the 6 days after (bounded: 7 rows per job)
    select
        jobs.provider_id,
        {{ vitals.add_days('jobs.job_date', 'day_offsets.day_offset') }} as day,  -- noqa: RF04
        cast(jobs.duration_ms as {{ vitals.type_double() }}) / 1000.0 as turnaround_sec,
        cast(jobs.summarize_ms as {{ vitals.type_double() }}) / 1000.0 as summarize_sec
    from jobs
    inner join day_offsets
        on jobs.status = 'success'
),

latency as (
    select
        provider_id,
        day,
        {{ vitals.percentile('turnaround_sec', 0.5) }} as turnaround_p50_sec,
        {{ vitals.percentile('summarize_sec', 0.5) }} as summarize_p50_sec
    from latency_samples
    where day <= {{ vitals.as_of_date() }}
    group by provider_id, day
),

components as (
    select
        windowed.provider_id,
        windowed.day,
        windowed.jobs_7d,
        windowed.notes_7d,
        windowed.reviews_7d,
        windowed.errors_7d,
        windowed.last_job_date >= {{ vitals.add_days('windowed.day', -29) }} as is_scored,
        {{ vitals.safe_divide('windowed.reviews_7d', 'windowed.notes_7d') }} as review_rate_7d,
        {{ vitals.safe_divide('windowed.errors_7d', 'windowed.jobs_7d') }} as error_rate_7d,
        latency.turnaround_p50_sec,
        latency.summarize_p50_sec,
        least(cast(windowed.notes_7d as {{ vitals.type_double() }}) / {{ n['notes_7d'] }}, 1.0) as engagement,
        least(
            cast(windowed.notes_7d as {{ vitals.type_double() }}) / {{ n['notes_per_doctor'] }}, 1.0
        ) as depth,  -- noqa: RF04
        case
            when latency.turnaround_p50_sec is null then null
            when latency.turnaround_p50_sec <= {{ n['turnaround_p50_good_sec'] }} then 1.0
            when latency.turnaround_p50_sec >= {{ n['turnaround_p50_zero_sec'] }} then 0.0
            else
                ({{ n['turnaround_p50_zero_sec'] }} - latency.turnaround_p50_sec)
                / ({{ n['turnaround_p50_zero_sec'] }} - {{ n['turnaround_p50_good_sec'] }})
        end as turnaround_slo,
        case
            when latency.summarize_p50_sec is null then null
            when latency.summarize_p50_sec <= {{ n['summarize_p50_good_sec'] }} then 1.0
            when latency.summarize_p50_sec >= {{ n['summarize_p50_zero_sec'] }} then 0.0
            else
                ({{ n['summarize_p50_zero_sec'] }} - latency.summarize_p50_sec)
                / ({{ n['summarize_p50_zero_sec'] }} - {{ n['summarize_p50_good_sec'] }})
        end as summarize_slo
    from windowed
    left join latency
        on
            windowed.provider_id = latency.provider_id
            and windowed.day = latency.day
),

scored as (
    select
        provider_id,
        day,
        is_scored,
        jobs_7d,
        notes_7d,
        reviews_7d,
        errors_7d,
        review_rate_7d,
        error_rate_7d,
        turnaround_p50_sec,
        summarize_p50_sec,
        engagement,
        1.0 - review_rate_7d as quality,
        depth,
        -- least() skips nulls on every engine: guard the undefined rate explicitly
        case
            when error_rate_7d is not null then 1.0 - least(error_rate_7d / {{ n['error_rate'] }}, 1.0)
        end as reliability,
        case
            when turnaround_slo is null then summarize_slo
            when summarize_slo is null then turnaround_slo
            else (turnaround_slo + summarize_slo) / 2.0
        end as latency
    from components
),

pointed as (
    select
        *,
        {%- for c in vitals.cs_components() %}
            {{ points[c] }} * coalesce({{ c }}, 0.0) as {{ c }}_points,
        {%- endfor %}
        {{ vitals.cs_round6(score_terms | join(' + ')) }} as health_score
    from scored
),

with_changes as (
    -- the dense spine makes lag(.., 7) the same provider 7 days earlier (null when not scored then)
    select
        *,
        health_score - lag(case when is_scored then health_score end, 7) over (
            partition by provider_id order by day
        ) as health_score_change_7d,
        {%- for c in vitals.cs_components() %}
            {{ c }}_points - lag(case when is_scored then {{ c }}_points end, 7) over (
                partition by provider_id order by day
            ) as health_{{ c }}_points_change_7d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from pointed
),

final as (
    select
        with_changes.day as metric_date,
        with_changes.provider_id,
        providers.org_id,
        with_changes.health_score,
        {{ vitals.cs_band('with_changes.health_score') }} as health_band,
        with_changes.engagement as health_engagement,
        with_changes.quality as health_quality,
        with_changes.depth as health_depth,
        with_changes.reliability as health_reliability,
        with_changes.latency as health_latency,
        {%- for c in vitals.cs_components() %}
            with_changes.{{ c }}_points as health_{{ c }}_points,
        {%- endfor %}
        with_changes.health_score_change_7d,
        {%- for c in vitals.cs_components() %}
            with_changes.health_{{ c }}_points_change_7d,
        {%- endfor %}
        {{ vitals.cs_move_sentence('with_changes.health_score_change_7d', prefix='with_changes.') }} as health_move,
        with_changes.jobs_7d as health_jobs_7d,
        with_changes.notes_7d as health_notes_7d,
        with_changes.review_rate_7d as health_review_rate_7d,
        with_changes.error_rate_7d as health_error_rate_7d,
        with_changes.turnaround_p50_sec as health_turnaround_p50_sec,
        with_changes.summarize_p50_sec as health_summarize_p50_sec
    from with_changes
    left join providers
        on with_changes.provider_id = providers.provider_id
    where with_changes.is_scored
)

select * from final
