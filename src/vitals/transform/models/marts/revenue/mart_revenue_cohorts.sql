{#-
    Logo and revenue cohort retention (SPEC §6.4). An org's cohort is the business month of its first paid
    day (first day with MRR above 0). For each cohort and each month from the cohort month to the as-of
    month: how many of its orgs pay at the month's end, and their MRR then, against the cohort's size and
    its MRR at the end of the cohort month (an org that joined and left within that month counts in the
    size with 0 MRR).
-#}

with

daily as (
    select * from {{ ref('mart_revenue_mrr_daily') }}
),

movements as (
    select * from {{ ref('mart_revenue_movements_monthly') }}
),

cohorts as (
    select
        org_id,
        {{ vitals.month_start('min(metric_date)') }} as cohort_month
    from daily
    where mrr_cents > 0
    group by org_id
),

cohort_months as (
    select
        cohorts.cohort_month,
        movements.month_start as activity_month,
        movements.org_id,
        movements.end_mrr_cents
    from cohorts
    inner join movements
        on
            cohorts.org_id = movements.org_id
            and cohorts.cohort_month <= movements.month_start
),

bases as (
    select
        cohort_month,
        count(*) as cohort_orgs,
        sum(end_mrr_cents) as cohort_mrr_cents
    from cohort_months
    where activity_month = cohort_month
    group by cohort_month
),

retained as (
    select
        cohort_month,
        activity_month,
        sum(case when end_mrr_cents > 0 then 1 else 0 end) as retained_orgs,
        sum(end_mrr_cents) as retained_mrr_cents
    from cohort_months
    group by cohort_month, activity_month
),

final as (
    select
        retained.cohort_month,
        retained.activity_month,
        cast(
            (extract(year from retained.activity_month) - extract(year from retained.cohort_month)) * 12
            + extract(month from retained.activity_month) - extract(month from retained.cohort_month)
            as integer
        ) as months_since_start,
        bases.cohort_orgs,
        retained.retained_orgs,
        bases.cohort_mrr_cents,
        retained.retained_mrr_cents,
        {{ vitals.safe_divide('retained.retained_orgs', 'bases.cohort_orgs') }} as logo_retention,
        {{ vitals.safe_divide('retained.retained_mrr_cents', 'bases.cohort_mrr_cents') }} as revenue_retention
    from retained
    inner join bases
        on retained.cohort_month = bases.cohort_month
)

select * from final
