{#-
    Monthly MRR movements per org (SPEC §6.4) from the daily invoice MRR. A month's start is the org's
    MRR at the end of the previous month (0 before its first billed month), its end the MRR on the
    month's last day (on the as-of month: the as-of day). The change is classified as exactly one of
    new (from 0, first time paying), reactivation (from 0, paid before), expansion, contraction or
    churn (to 0), so start + new + expansion + reactivation - contraction - churn = end per org.
-#}

with

daily as (
    select * from {{ ref('mart_revenue_mrr_daily') }}
),

first_paid as (
    select
        org_id,
        min(metric_date) as first_paid_day
    from daily
    where mrr_cents > 0
    group by org_id
),

month_last_days as (
    select
        org_id,
        {{ vitals.month_start('metric_date') }} as month_start,
        max(metric_date) as last_day
    from daily
    group by org_id, {{ vitals.month_start('metric_date') }}
),

month_ends as (
    select
        month_last_days.org_id,
        month_last_days.month_start,
        month_last_days.last_day,
        daily.mrr_cents as end_mrr_cents
    from month_last_days
    inner join daily
        on
            month_last_days.org_id = daily.org_id
            and month_last_days.last_day = daily.metric_date
),

with_start as (
    select
        month_ends.org_id,
        month_ends.month_start,
        month_ends.last_day,
        month_ends.end_mrr_cents,
        coalesce(
            lag(month_ends.end_mrr_cents) over (partition by month_ends.org_id order by month_ends.month_start), 0
        ) as start_mrr_cents,
        coalesce(first_paid.first_paid_day < month_ends.month_start, false) as paid_before
    from month_ends
    left join first_paid
        on month_ends.org_id = first_paid.org_id
),

final as (
    select
        month_start,
        last_day,
        org_id,
        start_mrr_cents,
        case
            when start_mrr_cents = 0 and end_mrr_cents > 0 and not paid_before then end_mrr_cents else 0
        end as new_mrr_cents,
        case
            when start_mrr_cents > 0 and end_mrr_cents > start_mrr_cents then end_mrr_cents - start_mrr_cents
            else 0
        end as expansion_mrr_cents,
        case
            when start_mrr_cents = 0 and end_mrr_cents > 0 and paid_before then end_mrr_cents else 0
        end as reactivation_mrr_cents,
        case
            when end_mrr_cents > 0 and end_mrr_cents < start_mrr_cents then start_mrr_cents - end_mrr_cents
            else 0
        end as contraction_mrr_cents,
        case when start_mrr_cents > 0 and end_mrr_cents = 0 then start_mrr_cents else 0 end as churned_mrr_cents,
        end_mrr_cents,
        case
            when start_mrr_cents = 0 and end_mrr_cents > 0 and not paid_before then 'new'
            when start_mrr_cents = 0 and end_mrr_cents > 0 then 'reactivation'
            when start_mrr_cents > 0 and end_mrr_cents = 0 then 'churn'
            when end_mrr_cents > start_mrr_cents then 'expansion'
            when end_mrr_cents < start_mrr_cents then 'contraction'
            when end_mrr_cents > 0 then 'retained'
            else 'inactive'
        end as movement
    from with_start
)

select * from final
