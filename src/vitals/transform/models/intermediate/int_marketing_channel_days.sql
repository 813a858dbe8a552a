{#-
    Marketing per business day and channel: leads created, leads that became marketing-qualified (by mql_at)
    and sales-qualified (by sql_at) that day, each lead as it stands at the as-of time, and the spend in the
    reporting currency. Days and channels without any of them have no row.
-#}

with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

spend as (
    select * from {{ ref('int_marketing_spend') }}
),

happenings as (
    select
        lead_date as metric_date,
        channel,
        1 as leads,
        0 as mqls,
        0 as sqls,
        0 as spend_cents
    from leads
    union all
    select
        {{ vitals.business_date('mql_at') }} as metric_date,
        channel,
        0 as leads,
        1 as mqls,
        0 as sqls,
        0 as spend_cents
    from leads
    where mql_at is not null
    union all
    select
        {{ vitals.business_date('sql_at') }} as metric_date,
        channel,
        0 as leads,
        0 as mqls,
        1 as sqls,
        0 as spend_cents
    from leads
    where sql_at is not null
    union all
    select
        spend_date as metric_date,
        channel,
        0 as leads,
        0 as mqls,
        0 as sqls,
        spend_cents
    from spend
),

final as (
    select
        metric_date,
        channel,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(spend_cents) as spend_cents
    from happenings
    where metric_date <= {{ vitals.as_of_date() }}
    group by metric_date, channel
)

select * from final
