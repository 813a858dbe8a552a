{#-
    Churn risk per org at the as-of date D (SPEC 6.5, 6.9, seed 002). Windows are business days: last 7 days =
    D-6..D, previous 7 days = D-13..D-7, last 30 days = D-29..D.
    - Five named risk factors (declining WAP, falling health, high review share, error spike, seats unused), the
      MRR at risk (organizations.mrr_cents) and the rank of the at-risk paying orgs by MRR at risk.
    - The churn-risk score 0-100: the seed's factors (health trend below -10 points, more than 5 support tickets
      opened in the last 30 days, more than 14 days since the org's last event, feature adoption below 0.3,
      activation below 0.5) and payment trouble (a Stripe subscription past_due at the as-of time or an
      uncollectible invoice in the last 30 days). Each factor that fires adds its points (100 x its weight / the
      sum of the weights: its weight with the default weights, which sum to 100); High >= 70, Medium >= 40, else
      Low. The weighted MRR at risk is score / 100 x MRR; churn_risk_rank orders the at-risk orgs by it.
    An org is at risk when it pays and any factor of either list fires. Thresholds, weights and band cut-offs are
    settings (vitals.config.ChurnRiskSettings; vars churn_risk and churn_risk_weights).
-#}
{%- set cs = vitals.cs_config() -%}
{%- set risk = cs['churn_risk'] -%}
{%- set points = cs['churn_risk_points'] -%}
{%- set factors = [
    ('declining_wap', 'declining WAP'),
    ('falling_health', 'falling health'),
    ('high_review_share', 'high review share'),
    ('error_spike', 'error spike'),
    ('seats_unused', 'seats unused'),
] -%}
{%- set score_factors = [
    ('declining_health', 'declining health'),
    ('high_support_volume', 'high support volume'),
    ('low_engagement', 'low engagement'),
    ('low_feature_adoption', 'low feature adoption'),
    ('low_activation', 'low activation'),
    ('payment_trouble', 'payment trouble'),
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
        seats_purchased,
        last_seen_at
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

support_tickets as (
    -- tickets opened in the last 30 days (none when no help desk is connected: the table is then empty)
    select
        org_id,
        count(*) as tickets_30d
    from {{ ref('int_support_tickets') }}
    where
        org_id is not null
        and {{ vitals.business_date('created_at') }} >= {{ vitals.add_days(vitals.as_of_date(), -29) }}
    group by org_id
),

tracked_features as (
    -- what mart_product_feature_adoption tracks: note, auto_coding and any other feature a job used
    select count(*) as feature_count
    from (
        select 'note' as feature
        union
        select 'auto_coding' as feature
        union
        select feature from {{ ref('summarization_jobs') }}
        where feature is not null
    ) as features
),

features_used as (
    -- distinct features of the org's jobs (any outcome) created in the last 30 days
    select
        org_id,
        count(distinct feature) as features_used_30d
    from {{ ref('summarization_jobs') }}
    where
        feature is not null
        and {{ vitals.business_date('created_at') }} >= {{ vitals.add_days(vitals.as_of_date(), -29) }}
    group by org_id
),

first_values as (
    -- providers who reached first value: at least one successful job by the as-of time
    select distinct provider_id
    from {{ ref('summarization_jobs') }}
    where status = 'success' and provider_id is not null
),

activation as (
    select
        providers.org_id,
        count(*) as providers_known,
        count(first_values.provider_id) as providers_activated
    from {{ ref('providers') }} as providers
    left join first_values
        on providers.provider_id = first_values.provider_id
    where providers.org_id is not null
    group by providers.org_id
),

subscription_states as (
    -- each Stripe subscription state produced by the as-of time (one row per state, not per item)
    select
        subscription_id,
        state_order,
        max(org_id) as org_id,
        max(subscription_status) as subscription_status
    from {{ ref('stg_stripe__subscription_item_states') }}
    where state_at <= {{ vitals.as_of() }}
    group by subscription_id, state_order
),

ranked_subscription_states as (
    select
        *,
        row_number() over (partition by subscription_id order by state_order desc) as state_rank
    from subscription_states
),

past_due_subscriptions as (
    -- subscriptions whose state at the as-of time is past_due (a renewal payment failed)
    select
        org_id,
        count(*) as past_due_subscriptions
    from ranked_subscription_states
    where state_rank = 1 and subscription_status = 'past_due' and org_id is not null
    group by org_id
),

failed_invoices as (
    -- invoices Stripe gave up collecting (uncollectible) whose period reaches into the last 30 days
    select
        org_id,
        count(*) as failed_invoices_30d
    from {{ ref('stg_stripe__invoices') }}
    where
        org_id is not null
        and status = 'uncollectible'
        and {{ vitals.business_date('coalesce(period_end, period_start)') }}
        >= {{ vitals.add_days(vitals.as_of_date(), -29) }}
    group by org_id
),

measures as (
    select
        organizations.org_id,
        organizations.org_name,
        organizations.is_active as is_customer,
        organizations.mrr_cents,
        organizations.seats_purchased,
        organizations.last_seen_at,
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
            as seat_utilization,
        cast(coalesce(support_tickets.tickets_30d, 0) as {{ dbt.type_bigint() }}) as tickets_30d,
        {{ vitals.days_between(vitals.business_date('organizations.last_seen_at'), vitals.as_of_date()) }}
            as days_since_last_activity,
        {{ vitals.safe_divide('coalesce(features_used.features_used_30d, 0)', 'tracked_features.feature_count') }}
            as feature_adoption_30d,
        {{ vitals.safe_divide('activation.providers_activated', 'activation.providers_known') }} as activation_rate,
        coalesce(past_due_subscriptions.past_due_subscriptions, 0) > 0 as has_past_due_subscription,
        cast(coalesce(failed_invoices.failed_invoices_30d, 0) as {{ dbt.type_bigint() }}) as failed_invoices_30d
    from organizations
    cross join tracked_features
    left join usage
        on organizations.org_id = usage.org_id
    left join support_tickets
        on organizations.org_id = support_tickets.org_id
    left join features_used
        on organizations.org_id = features_used.org_id
    left join activation
        on organizations.org_id = activation.org_id
    left join past_due_subscriptions
        on organizations.org_id = past_due_subscriptions.org_id
    left join failed_invoices
        on organizations.org_id = failed_invoices.org_id
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
        coalesce(seat_utilization >= {{ risk['expansion_utilization'] }}, false) as expansion_candidate,
        -- the score's factors (no health score then: no trend; no provider: no activation rate)
        coalesce(health_score_change < -{{ risk['health_trend_points'] }}, false) as declining_health,
        tickets_30d > {{ risk['support_tickets_30d'] }} as high_support_volume,
        -- an org never seen in the app's events has no last activity: it counts as inactive
        coalesce(days_since_last_activity > {{ risk['inactive_days'] }}, true) as low_engagement,
        coalesce(feature_adoption_30d < {{ risk['feature_adoption'] }}, false) as low_feature_adoption,
        coalesce(activation_rate < {{ risk['activation'] }}, false) as low_activation,
        has_past_due_subscription or failed_invoices_30d > 0 as payment_trouble
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
        {%- endfor %} as factor_text,
        {%- for name, _ in score_factors %}
            case when {{ name }} then 1 else 0 end{% if not loop.last %} +{% endif %}
        {%- endfor %} as score_factor_count,
        {%- for name, label in score_factors %}
            case when {{ name }} then ', {{ label }}' else '' end{% if not loop.last %} ||{% endif %}
        {%- endfor %} as score_factor_text,
        {%- set terms = [] -%}
        {%- for name, _ in score_factors -%}
            {%- do terms.append('case when ' ~ name ~ ' then ' ~ points[name] ~ ' else 0 end') -%}
        {%- endfor %}
        {{ vitals.cs_round6(terms | join(' + ')) }} as churn_risk_score
    from flagged
),

scored as (
    select
        *,
        is_customer and (risk_factor_count > 0 or score_factor_count > 0) as is_at_risk,
        case
            when churn_risk_score >= {{ risk['band_high'] }} then 'High'
            when churn_risk_score >= {{ risk['band_medium'] }} then 'Medium'
            else 'Low'
        end as churn_risk_band,
        -- the MRR the score puts at risk: score / 100 x MRR (paying orgs only)
        case when is_customer then churn_risk_score * mrr_cents / 100.0 else 0.0 end as weighted_mrr_at_risk
    from counted
),

final as (
    select
        {{ vitals.as_of_date() }} as metric_date,
        org_id,
        org_name,
        is_customer,
        is_at_risk,
        case
            when is_at_risk
                then row_number() over (
                    order by
                        case when is_at_risk then 0 else 1 end,
                        mrr_cents desc,
                        risk_factor_count desc,
                        org_id asc
                )
        end as risk_rank,
        case when is_at_risk then mrr_cents else 0 end as mrr_at_risk_cents,
        risk_factor_count,
        case when risk_factor_count > 0 then substr(factor_text, 3) end as risk_factors,
        {%- for name, _ in factors %}
            {{ name }},
        {%- endfor %}
        churn_risk_score,
        churn_risk_band,
        score_factor_count as churn_risk_factor_count,
        case when score_factor_count > 0 then substr(score_factor_text, 3) end as churn_risk_factors,
        {%- for name, _ in score_factors %}
            {{ name }},
        {%- endfor %}
        cast(floor(weighted_mrr_at_risk + 0.5) as {{ dbt.type_bigint() }}) as weighted_mrr_at_risk_cents,
        case
            when is_at_risk
                then row_number() over (
                    order by
                        case when is_at_risk then 0 else 1 end,
                        weighted_mrr_at_risk desc,
                        mrr_cents desc,
                        org_id asc
                )
        end as churn_risk_rank,
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
        expansion_candidate,
        tickets_30d as churn_support_tickets_30d,
        days_since_last_activity as churn_days_since_last_activity,
        feature_adoption_30d as churn_feature_adoption_30d,
        activation_rate as churn_activation_rate,
        has_past_due_subscription,
        failed_invoices_30d as churn_failed_invoices_30d
    from scored
)

select * from final
