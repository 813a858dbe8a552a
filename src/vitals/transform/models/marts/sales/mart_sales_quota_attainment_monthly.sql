{#-
    Quota attainment per owner and per team and business month (SPEC 6.8): the amount of the deals won in the
    month (by close day; each deal counts for its owner at the as-of time) ÷ the month's quota. Months up to
    the as-of month that have a quota or a won deal; a team row sums its owners (by their latest quota's team).
-#}

with

deals as (
    select * from {{ ref('int_sales_deals') }}
    where is_won and owner_id is not null
),

quotas as (
    select * from {{ ref('int_sales_quotas') }}
    where month_start <= {{ vitals.as_of_date() }}
),

owners as (
    select * from {{ ref('int_sales_owners') }}
),

won as (
    select
        owner_id,
        {{ vitals.month_start('closed_date') }} as month_start,
        count(*) as deals_won,
        sum(amount_cents) as won_amount_cents
    from deals
    group by owner_id, {{ vitals.month_start('closed_date') }}
),

owner_months as (
    select
        owner_id,
        month_start
    from quotas
    union
    select
        owner_id,
        month_start
    from won
),

owner_rows as (
    select
        owner_months.month_start,
        'owner' as segment_type,
        owner_months.owner_id as segment_id,
        coalesce(owners.owner_name, owner_months.owner_id) as segment_name,
        owners.team,
        quotas.quota_cents,
        coalesce(won.deals_won, 0) as deals_won,
        coalesce(won.won_amount_cents, 0) as won_amount_cents
    from owner_months
    left join owners
        on owner_months.owner_id = owners.owner_id
    left join quotas
        on
            owner_months.owner_id = quotas.owner_id
            and owner_months.month_start = quotas.month_start
    left join won
        on
            owner_months.owner_id = won.owner_id
            and owner_months.month_start = won.month_start
),

team_rows as (
    select
        month_start,
        'team' as segment_type,
        team as segment_id,
        team as segment_name,
        team,
        sum(quota_cents) as quota_cents,
        sum(deals_won) as deals_won,
        sum(won_amount_cents) as won_amount_cents
    from owner_rows
    where team is not null
    group by month_start, team
),

final as (
    select
        month_start,
        segment_type,
        segment_id,
        segment_name,
        team,
        quota_cents,
        deals_won,
        won_amount_cents,
        {{ vitals.safe_divide('won_amount_cents', 'quota_cents') }} as quota_attainment
    from (
        select * from owner_rows
        union all
        select * from team_rows
    ) as segments
)

select * from final
