{#-
    Sales per business month (SPEC 6.8), from the first month with a deal or a quota to the as-of month (month
    to date): deals created and their amount, deals won and lost in the month (by close day) and the amounts,
    win rate by count and by amount among the deals closed in the month, average and median won deal size,
    median sales cycle of the deals won in it, the month's quota and its attainment. Deals as they stand at the
    as-of time.
-#}

with

deals as (
    select * from {{ ref('int_sales_deals') }}
),

quotas as (
    select * from {{ ref('int_sales_quotas') }}
),

starts as (
    select min(first_day) as start_day
    from (
        select created_date as first_day from deals
        union all
        select month_start as first_day from quotas
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

created as (
    select
        {{ vitals.month_start('created_date') }} as month_start,
        count(*) as deals_created,
        sum(amount_cents) as pipeline_created_cents
    from deals
    group by {{ vitals.month_start('created_date') }}
),

closed as (
    select
        {{ vitals.month_start('closed_date') }} as month_start,
        {{ vitals.count_if('is_won') }} as deals_won,
        {{ vitals.count_if('is_lost') }} as deals_lost,
        coalesce(sum(case when is_won then amount_cents end), 0) as won_amount_cents,
        coalesce(sum(case when is_lost then amount_cents end), 0) as lost_amount_cents,
        cast({{ vitals.percentile('case when is_won then amount_cents end', 0.5) }} as {{ vitals.type_double() }})
            as median_deal_size_cents,
        cast({{ vitals.percentile('case when is_won then days_to_close end', 0.5) }} as {{ vitals.type_double() }})
            as median_sales_cycle_days
    from deals
    where closed_date is not null
    group by {{ vitals.month_start('closed_date') }}
),

quota_months as (
    select
        month_start,
        sum(quota_cents) as quota_cents
    from quotas
    group by month_start
),

final as (
    select
        months.month_start,
        months.last_day,
        coalesce(created.deals_created, 0) as deals_created,
        coalesce(created.pipeline_created_cents, 0) as pipeline_created_cents,
        coalesce(closed.deals_won, 0) as deals_won,
        coalesce(closed.deals_lost, 0) as deals_lost,
        coalesce(closed.won_amount_cents, 0) as won_amount_cents,
        coalesce(closed.lost_amount_cents, 0) as lost_amount_cents,
        {{ vitals.safe_divide('closed.deals_won', '(closed.deals_won + closed.deals_lost)') }} as win_rate,
        {{ vitals.safe_divide('closed.won_amount_cents', '(closed.won_amount_cents + closed.lost_amount_cents)') }}
            as win_rate_amount,
        {{ vitals.safe_divide('closed.won_amount_cents', 'closed.deals_won') }} as average_deal_size_cents,
        closed.median_deal_size_cents,
        closed.median_sales_cycle_days,
        quota_months.quota_cents,
        {{ vitals.safe_divide('coalesce(closed.won_amount_cents, 0)', 'quota_months.quota_cents') }}
            as quota_attainment
    from months
    left join created
        on months.month_start = created.month_start
    left join closed
        on months.month_start = closed.month_start
    left join quota_months
        on months.month_start = quota_months.month_start
)

select * from final
