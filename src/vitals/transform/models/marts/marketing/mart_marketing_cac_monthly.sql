{#-
    Acquisition cost per business month, blended ('all') and per channel (SPEC 6.8), from the first month with
    marketing spend or a lead to the as-of month (month to date):
      - spend in the month (reporting currency), leads created and MQLs reached in it, cost per lead and per MQL;
      - new paying orgs: orgs whose revenue movement in the month is "new" (mart_revenue_movements_monthly),
        per channel by their acquisition channel (first-touch lead, int_marketing_org_channels); an org without
        a lead counts in the blended row only;
      - CAC = spend ÷ new paying orgs; ARPA of those orgs = their new MRR ÷ their number; CAC payback months =
        CAC ÷ that ARPA; LTV = that ARPA ÷ the month's revenue churn rate (mart_revenue_monthly, all orgs);
        LTV:CAC = LTV ÷ CAC. Each is null where its divisor is 0 or missing.
-#}

with

spend as (
    select * from {{ ref('int_marketing_spend') }}
),

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

new_orgs as (
    select * from {{ ref('mart_revenue_movements_monthly') }}
    where movement = 'new'
),

channels as (
    select * from {{ ref('int_marketing_org_channels') }}
),

revenue_months as (
    select * from {{ ref('mart_revenue_monthly') }}
),

starts as (
    select min(first_day) as start_day
    from (
        select spend_date as first_day from spend
        union all
        select lead_date as first_day from leads
    ) as firsts
    having min(first_day) <= {{ vitals.as_of_date() }}
),

days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'starts') }}
),

months as (
    select
        {{ vitals.month_start('day') }} as month_start,
        max(day) as last_day
    from days
    group by {{ vitals.month_start('day') }}
),

facts as (
    select
        {{ vitals.month_start('spend_date') }} as month_start,
        channel,
        spend_cents,
        0 as leads,
        0 as mqls,
        0 as new_paying_orgs,
        0 as new_mrr_cents
    from spend
    union all
    select
        {{ vitals.month_start('lead_date') }} as month_start,
        channel,
        0 as spend_cents,
        1 as leads,
        0 as mqls,
        0 as new_paying_orgs,
        0 as new_mrr_cents
    from leads
    union all
    select
        {{ vitals.month_start(vitals.business_date('mql_at')) }} as month_start,
        channel,
        0 as spend_cents,
        0 as leads,
        1 as mqls,
        0 as new_paying_orgs,
        0 as new_mrr_cents
    from leads
    where mql_at is not null
    union all
    select
        new_orgs.month_start,
        channels.acquisition_channel as channel,
        0 as spend_cents,
        0 as leads,
        0 as mqls,
        1 as new_paying_orgs,
        new_orgs.new_mrr_cents
    from new_orgs
    left join channels
        on new_orgs.org_id = channels.org_id
),

by_channel as (
    select
        month_start,
        channel,
        sum(spend_cents) as spend_cents,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(new_paying_orgs) as new_paying_orgs,
        sum(new_mrr_cents) as new_mrr_cents
    from facts
    where channel is not null
    group by month_start, channel
),

blended as (
    select
        month_start,
        'all' as channel,
        sum(spend_cents) as spend_cents,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(new_paying_orgs) as new_paying_orgs,
        sum(new_mrr_cents) as new_mrr_cents
    from facts
    group by month_start
),

month_channels as (
    -- every month of the span has a blended row; a channel has a row in the months it has a fact
    select
        months.month_start,
        months.last_day,
        'all' as channel
    from months
    union all
    select
        months.month_start,
        months.last_day,
        by_channel.channel
    from months
    inner join by_channel
        on months.month_start = by_channel.month_start
),

combined as (
    select
        month_channels.month_start,
        month_channels.last_day,
        month_channels.channel,
        coalesce(by_channel.spend_cents, blended.spend_cents, 0) as spend_cents,
        coalesce(by_channel.leads, blended.leads, 0) as leads,
        coalesce(by_channel.mqls, blended.mqls, 0) as mqls,
        coalesce(by_channel.new_paying_orgs, blended.new_paying_orgs, 0) as new_paying_orgs,
        coalesce(by_channel.new_mrr_cents, blended.new_mrr_cents, 0) as new_mrr_cents,
        revenue_months.revenue_churn_rate
    from month_channels
    left join by_channel
        on
            month_channels.month_start = by_channel.month_start
            and month_channels.channel = by_channel.channel
            and month_channels.channel <> 'all'
    left join blended
        on
            month_channels.month_start = blended.month_start
            and month_channels.channel = 'all'
    left join revenue_months
        on month_channels.month_start = revenue_months.month_start
),

unit_costs as (
    select
        *,
        {{ vitals.safe_divide('spend_cents', 'new_paying_orgs') }} as cac_cents,
        {{ vitals.safe_divide('new_mrr_cents', 'new_paying_orgs') }} as new_org_arpa_cents
    from combined
),

final as (
    select
        month_start,
        last_day,
        channel,
        spend_cents,
        leads,
        mqls,
        {{ vitals.safe_divide('spend_cents', 'leads') }} as cost_per_lead_cents,
        {{ vitals.safe_divide('spend_cents', 'mqls') }} as cost_per_mql_cents,
        new_paying_orgs,
        new_mrr_cents,
        cac_cents,
        new_org_arpa_cents,
        {{ vitals.safe_divide('cac_cents', 'new_org_arpa_cents') }} as cac_payback_months,
        revenue_churn_rate,
        {{ vitals.safe_divide('new_org_arpa_cents', 'revenue_churn_rate') }} as acquired_ltv_cents,
        {{ vitals.safe_divide(vitals.safe_divide('new_org_arpa_cents', 'revenue_churn_rate'), 'cac_cents') }}
            as ltv_to_cac
    from unit_costs
)

select * from final
