{#-
    Churn risk per org at the as-of date D (SPEC 6.5, seed 002): five named risk factors, the MRR
    at risk (organizations.mrr_cents) and the rank of the at-risk paying orgs by MRR at risk.
    Windows are business days: last 7 days = D-6..D, previous 7 days = D-13..D-7, last 30 days = D-29..D.
-#}
{%- set risk = vitals.cs_config()['churn_risk'] -%}
{%- set factors = [
    ('declining_wap', 'declining WAP'),
    ('falling_health', 'falling health'),
    ('high_review_share', 'high review share'),
    ('error_spike', 'error spike'),
    ('seats_unused', 'seats unused'),
] -%}

{{
    config(
        indexes=[
            {'columns': ['org_id'], 'unique': true},
        ],
    )
}}

with

organizations as (
    select
        org_id,
        org_name,
        mrr_cents,
        is_active,
        seats_purchased
    from {{ ref('organizations') }}
),

recent_jobs as (
    select
        org_id,
        provider_id,
        status,
        patient_status,
        {{ vitals.business_date('created_at') }} as job_date
    from {{ ref('summarization_jobs') }}
    where {{ vitals.business_date('created_at') }} >= {{ vitals.add_days(vitals.as_of_date(), -29) }}
),

usage as (
    select
        org_id,
        count(distinct case
            when status = 'success' and job_date >= {{ vitals.add_days(vitals.as_of_date(), -6) }}
                then provider_id
        end) as wap_7d,
        count(distinct case
            when
                status = 'success' and job_date < {{ vitals.add_days(vitals.as_of_date(), -6) }}
                and job_date >= {{ vitals.add_days(vitals.as_of_date(), -13) }}
                then provider_id
        end) as wap_prev_7d,
        count(distinct case when status = 'success' then provider_id end) as active_providers_30d,
        {{ vitals.count_if("job_date >= " ~ vitals.add_days(vitals.as_of_date(), -6)) }} as jobs_7d,
        {{ vitals.count_if("status = 'success' and job_date >= " ~ vitals.add_days(vitals.as_of_date(), -6)) }}
            as notes_7d,
        {{ vitals.count_if(
            "status = 'success' and patient_status = 'Review' and job_date >= "
            ~ vitals.add_days(vitals.as_of_date(), -6)
        ) }} as reviews_7d,
        {{ vitals.count_if("status = 'error' and job_date >= " ~ vitals.add_days(vitals.as_of_date(), -6)) }}
            as errors_7d
    from recent_jobs
    group by org_id
),

org_health as (
    select
        org_id,
        metric_date,
        health_score,
        health_band
    from {{ ref('mart_customer_success_org_health') }}
    where
        metric_date = {{ vitals.as_of_date() }}
        or metric_date = {{ vitals.add_days(vitals.as_of_date(), -(risk['health_drop_days'] | int)) }}
),

measures as (
    select
        organizations.org_id,
        organizations.org_name,
        organizations.is_active as is_customer,
        organizations.mrr_cents,
        organizations.seats_purchased,
        current_health.health_score,
        current_health.health_band,
        earlier_health.health_score as health_score_before,
        -- no score now (no provider active in 30 days) counts as 0 against an earlier score
        coalesce(current_health.health_score, 0.0) - earlier_health.health_score as health_score_change,
        coalesce(usage.wap_7d, 0) as wap_7d,
        coalesce(usage.wap_prev_7d, 0) as wap_prev_7d,
        {{ vitals.safe_divide('coalesce(usage.wap_7d, 0) - usage.wap_prev_7d', 'usage.wap_prev_7d') }} as wap_change,
        cast(coalesce(usage.jobs_7d, 0) as {{ dbt.type_bigint() }}) as jobs_7d,
        {{ vitals.safe_divide('usage.reviews_7d', 'usage.notes_7d') }} as review_share_7d,
        {{ vitals.safe_divide('usage.errors_7d', 'usage.jobs_7d') }} as error_rate_7d,
        coalesce(usage.active_providers_30d, 0) as active_providers_30d,
        {{ vitals.safe_divide('coalesce(usage.active_providers_30d, 0)', 'organizations.seats_purchased') }}
            as seat_utilization
    from organizations
    left join usage
        on organizations.org_id = usage.org_id
    left join org_health as current_health
        on
            organizations.org_id = current_health.org_id
            and current_health.metric_date = {{ vitals.as_of_date() }}
    left join org_health as earlier_health
        on
            organizations.org_id = earlier_health.org_id
            and earlier_health.metric_date
            = {{ vitals.add_days(vitals.as_of_date(), -(risk['health_drop_days'] | int)) }}
),

flagged as (
    select
        *,
        coalesce(wap_change <= -{{ risk['wap_decline'] }}, false) as declining_wap,
        coalesce(health_score_change <= -{{ risk['health_drop_points'] }}, false) as falling_health,
        coalesce(
            jobs_7d >= {{ risk['min_jobs'] }} and review_share_7d >= {{ risk['review_share'] }}, false
        ) as high_review_share,
        coalesce(jobs_7d >= {{ risk['min_jobs'] }} and error_rate_7d >= {{ risk['error_rate'] }}, false)
            as error_spike,
        coalesce(seat_utilization < {{ risk['seat_utilization'] }}, false) as seats_unused,
        -- not a risk: an org using nearly every seat it bought may buy more (the sales page's expansion list)
        coalesce(seat_utilization >= {{ risk['expansion_utilization'] }}, false) as expansion_candidate
    from measures
),

counted as (
    select
        *,
        {%- for name, _ in factors %}
            case when {{ name }} then 1 else 0 end{% if not loop.last %} +{% endif %}
        {%- endfor %} as risk_factor_count,
        {%- for name, label in factors %}
            case when {{ name }} then ', {{ label }}' else '' end{% if not loop.last %} ||{% endif %}
        {%- endfor %} as factor_text
    from flagged
),

final as (
    select
        {{ vitals.as_of_date() }} as metric_date,
        org_id,
        org_name,
        is_customer,
        is_customer and risk_factor_count > 0 as is_at_risk,
        case
            when is_customer and risk_factor_count > 0
                then row_number() over (
                    order by
                        case when is_customer and risk_factor_count > 0 then 0 else 1 end,
                        mrr_cents desc,
                        risk_factor_count desc,
                        org_id asc
                )
        end as risk_rank,
        case when is_customer and risk_factor_count > 0 then mrr_cents else 0 end as mrr_at_risk_cents,
        risk_factor_count,
        case when risk_factor_count > 0 then substr(factor_text, 3) end as risk_factors,
        {%- for name, _ in factors %}
            {{ name }},
        {%- endfor %}
        health_score,
        health_band,
        health_score_before as health_score_lookback,
        health_score_change as health_trend,
        wap_7d as churn_wap_7d,
        wap_prev_7d as churn_wap_prev_7d,
        wap_change as churn_wap_change,
        jobs_7d as churn_jobs_7d,
        review_share_7d as churn_review_share_7d,
        error_rate_7d as churn_error_rate_7d,
        seats_purchased as churn_seats_purchased,
        active_providers_30d as churn_active_providers_30d,
        seat_utilization as churn_seat_utilization,
        expansion_candidate
    from counted
)

select * from final
