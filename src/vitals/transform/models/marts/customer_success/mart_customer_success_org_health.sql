{#-
    Health score per org and business day (SPEC 6.5): the mean over the org's providers active in
    the trailing 30 days (the rows of mart_customer_success_provider_health). Each component is the
    mean over those providers with a provider's missing component counted as 0, exactly as its
    points count it, so that component x full marks = points and the points add up to the score
    (null only when no provider has the component: 0 points). Also the week-over-week change of the
    score and of each component's points, and the sentence that explains the move.
-#}

{%- set points_terms = [] -%}
{%- for c in vitals.cs_components() -%}
    {%- do points_terms.append('avg(health_' ~ c ~ '_points)') -%}
{%- endfor -%}
{%- set points_sum = points_terms | join(' + ') -%}

{{
    config(
        indexes=[
            {'columns': ['org_id', 'metric_date'], 'unique': true},
            {'columns': ['metric_date']},
        ],
    )
}}

with

provider_health as (
    select * from {{ ref('mart_customer_success_provider_health') }}
    where org_id is not null
),

organizations as (
    select
        org_id,
        org_name
    from {{ ref('organizations') }}
),

org_days as (
    select
        org_id,
        metric_date,
        count(*) as providers_scored,
        -- the mean provider score, as the sum of the mean points (unrounded) of the components
        {{ vitals.cs_round6(points_sum) }} as health_score,
        {%- for c in vitals.cs_components() %}
            case
                when count(health_{{ c }}) > 0 then avg(coalesce(health_{{ c }}, 0.0))
            end as health_{{ c }},
        {%- endfor %}
        {%- for c in vitals.cs_components() %}
            avg(health_{{ c }}_points) as health_{{ c }}_points{% if not loop.last %},{% endif %}
        {%- endfor %}
    from provider_health
    group by org_id, metric_date
),

with_changes as (
    select
        current_day.*,
        current_day.health_score - previous_day.health_score as health_score_change_7d,
        {%- for c in vitals.cs_components() %}
            current_day.health_{{ c }}_points - previous_day.health_{{ c }}_points
                as health_{{ c }}_points_change_7d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from org_days as current_day
    left join org_days as previous_day
        on
            current_day.org_id = previous_day.org_id
            and previous_day.metric_date = {{ vitals.add_days('current_day.metric_date', -7) }}
),

final as (
    select
        with_changes.metric_date,
        with_changes.org_id,
        organizations.org_name,
        with_changes.providers_scored as health_providers_scored,
        with_changes.health_score,
        {{ vitals.cs_band('with_changes.health_score') }} as health_band,
        {%- for c in vitals.cs_components() %}
            with_changes.health_{{ c }},
        {%- endfor %}
        {%- for c in vitals.cs_components() %}
            with_changes.health_{{ c }}_points,
        {%- endfor %}
        with_changes.health_score_change_7d,
        {%- for c in vitals.cs_components() %}
            with_changes.health_{{ c }}_points_change_7d,
        {%- endfor %}
        {{ vitals.cs_move_sentence('with_changes.health_score_change_7d', prefix='with_changes.') }} as health_move
    from with_changes
    left join organizations
        on with_changes.org_id = organizations.org_id
)

select * from final
