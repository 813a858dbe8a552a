{#-
    What became of the orgs each acquisition channel brought (the channel of the org's first-touch lead), as of
    the build's as-of date: orgs, those paying now, their mean health score on the as-of day (over the orgs
    scored that day), their weekly active providers (distinct providers with a successful job in the last 7
    days, summed and per org) and the median days from closed-won to first value.
-#}

with

channels as (
    select * from {{ ref('int_marketing_org_channels') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

health as (
    select * from {{ ref('mart_customer_success_org_health') }}
    where metric_date = {{ vitals.as_of_date() }}
),

usage as (
    select * from {{ ref('mart_customer_success_churn_risk') }}
),

first_values as (
    select * from {{ ref('mart_sales_won_to_first_value') }}
),

final as (
    select
        channels.acquisition_channel,
        count(*) as orgs,
        {{ vitals.count_if('organizations.mrr_cents > 0') }} as paying_orgs,
        count(health.health_score) as orgs_scored,
        avg(health.health_score) as channel_health_score,
        coalesce(sum(usage.churn_wap_7d), 0) as channel_wap_7d,
        {{ vitals.safe_divide('coalesce(sum(usage.churn_wap_7d), 0)', 'count(*)') }} as channel_wap_7d_per_org,
        cast(
            {{ vitals.percentile('first_values.days_won_to_first_value', 0.5) }} as {{ vitals.type_double() }}
        ) as median_days_won_to_first_value
    from channels
    left join organizations
        on channels.org_id = organizations.org_id
    left join health
        on channels.org_id = health.org_id
    left join usage
        on channels.org_id = usage.org_id
    left join first_values
        on channels.org_id = first_values.org_id
    group by channels.acquisition_channel
)

select * from final
