{#-
    The marketing funnel per monthly cohort (the business month a lead was created) and channel, plus 'all'
    channels (SPEC 6.8): leads, those that became MQL, SQL, a deal (their deal exists in the CRM) and a won
    deal, each lead and deal as it stands at the as-of time, and the conversion of each step (each step counted
    on its own: a lead can have a deal without an SQL time).
-#}

with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

deals as (
    select * from {{ ref('int_sales_deals') }}
),

lead_outcomes as (
    select
        {{ vitals.month_start('leads.lead_date') }} as cohort_month,
        leads.channel,
        case when leads.mql_at is not null then 1 else 0 end as is_mql,
        case when leads.sql_at is not null then 1 else 0 end as is_sql,
        case when deals.deal_id is not null then 1 else 0 end as has_deal,
        case when deals.is_won then 1 else 0 end as has_won_deal
    from leads
    left join deals
        on leads.deal_id = deals.deal_id
    where leads.lead_date <= {{ vitals.as_of_date() }}
),

by_channel as (
    select
        cohort_month,
        channel,
        count(*) as leads,
        sum(is_mql) as mqls,
        sum(is_sql) as sqls,
        sum(has_deal) as deals,
        sum(has_won_deal) as won_deals
    from lead_outcomes
    group by cohort_month, channel
),

all_channels as (
    select
        cohort_month,
        'all' as channel,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(deals) as deals,
        sum(won_deals) as won_deals
    from by_channel
    group by cohort_month
),

final as (
    select
        cohort_month,
        channel,
        leads,
        mqls,
        sqls,
        deals,
        won_deals,
        {{ vitals.safe_divide('mqls', 'leads') }} as lead_to_mql_rate,
        {{ vitals.safe_divide('sqls', 'mqls') }} as mql_to_sql_rate,
        {{ vitals.safe_divide('deals', 'sqls') }} as sql_to_deal_rate,
        {{ vitals.safe_divide('won_deals', 'deals') }} as deal_to_won_rate,
        {{ vitals.safe_divide('won_deals', 'leads') }} as lead_to_won_rate
    from (
        select * from by_channel
        union all
        select * from all_channels
    ) as cohorts
)

select * from final
