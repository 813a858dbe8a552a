{#-
    The marketing facts per business day, global and wide (SPEC 6.8): leads, MQLs, SQLs and spend that day, and
    over the trailing 30 days (the day and the 29 before it, macro marketing_window_days) the spend per lead and
    per MQL (none without a lead, or an MQL, in the window). Every day from the first lead or spend day to the
    as-of date; no marketing data loaded: no row.
-#}
{%- set window_days = vitals.marketing_window_days() | int -%}

with

channel_days as (
    select * from {{ ref('int_marketing_channel_days') }}
),

starts as (
    select min(metric_date) as start_day
    from channel_days
    having count(*) > 0
),

days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'starts') }}
),

totals as (
    select
        metric_date,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(spend_cents) as spend_cents
    from channel_days
    group by metric_date
),

daily as (
    select
        days.day as metric_date,
        coalesce(totals.leads, 0) as leads,
        coalesce(totals.mqls, 0) as mqls,
        coalesce(totals.sqls, 0) as sqls,
        coalesce(totals.spend_cents, 0) as spend_cents
    from days
    left join totals
        on days.day = totals.metric_date
),

windowed as (
    select
        *,
        sum(spend_cents) over trailing_window as spend_window_cents,
        sum(leads) over trailing_window as leads_window,
        sum(mqls) over trailing_window as mqls_window
    from daily
    window trailing_window as (order by metric_date rows between {{ window_days - 1 }} preceding and current row)
),

final as (
    select
        'global' as entity_type,
        'global' as entity_id,
        metric_date,
        leads as marketing_leads,
        mqls as marketing_mqls,
        sqls as marketing_sqls,
        spend_cents as marketing_spend_cents,
        spend_window_cents as marketing_spend_30d_cents,
        leads_window as marketing_leads_30d,
        mqls_window as marketing_mqls_30d,
        {{ vitals.safe_divide('spend_window_cents', 'leads_window') }} as marketing_cost_per_lead_30d_cents,
        {{ vitals.safe_divide('spend_window_cents', 'mqls_window') }} as marketing_cost_per_mql_30d_cents
    from windowed
)

select * from final
