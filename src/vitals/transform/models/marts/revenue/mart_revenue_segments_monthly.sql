{#-
    The monthly MRR bridge and ratios (SPEC §6.4) of every segment of orgs a reader can filter on: all orgs
    (segment_type 'global'), the orgs of each current plan ('plan') and each org ('org'), one row per segment
    and business month in which the segment has an org billed (all orgs: from the first billed month to the
    as-of month): start + new + expansion + reactivation - contraction - churn = end; ARR, ARPA, NRR and GRR
    over the orgs paying at the month's start, logo and revenue churn, and LTV = ARPA / the trailing 3 months'
    logo churn rate. Ratios are null when undefined. The one place these ratios are computed:
    mart_revenue_monthly is its global rows, and the dashboard's filtered revenue reads its plan and org rows.
-#}

with

movements as (
    select
        movements.*,
        organizations.current_plan
    from {{ ref('mart_revenue_movements_monthly') }} as movements
    left join {{ ref('organizations') }} as organizations
        on movements.org_id = organizations.org_id
),

segmented as (
    select
        'global' as segment_type,
        'global' as segment,
        cast(null as {{ dbt.type_string() }}) as plan,
        movements.*
    from movements
    union all
    select
        'plan' as segment_type,
        current_plan as segment,
        current_plan as plan,
        movements.*
    from movements
    where current_plan is not null
    union all
    select
        'org' as segment_type,
        org_id as segment,
        current_plan as plan,
        movements.*
    from movements
),

months as (
    select
        segment_type,
        segment,
        max(plan) as plan,
        month_start,
        max(last_day) as last_day,
        sum(start_mrr_cents) as start_mrr_cents,
        sum(new_mrr_cents) as new_mrr_cents,
        sum(expansion_mrr_cents) as expansion_mrr_cents,
        sum(reactivation_mrr_cents) as reactivation_mrr_cents,
        sum(contraction_mrr_cents) as contraction_mrr_cents,
        sum(churned_mrr_cents) as churned_mrr_cents,
        sum(end_mrr_cents) as end_mrr_cents,
        sum(case when start_mrr_cents > 0 then 1 else 0 end) as customers_start,
        sum(case when end_mrr_cents > 0 then 1 else 0 end) as customers_end,
        sum(case when movement = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when start_mrr_cents > 0 then end_mrr_cents else 0 end) as retained_cohort_end_mrr_cents
    from segmented
    group by segment_type, segment, month_start
),

with_trailing_churn as (
    select
        months.*,
        sum(months.churned_customers) over (
            partition by months.segment_type, months.segment
            order by months.month_start rows between 2 preceding and current row
        ) as churned_customers_3m,
        sum(months.customers_start) over (
            partition by months.segment_type, months.segment
            order by months.month_start rows between 2 preceding and current row
        ) as customers_start_3m
    from months
),

final as (
    select
        segment_type,
        segment,
        plan,
        month_start,
        last_day,
        start_mrr_cents,
        new_mrr_cents,
        expansion_mrr_cents,
        reactivation_mrr_cents,
        contraction_mrr_cents,
        churned_mrr_cents,
        end_mrr_cents,
        12 * end_mrr_cents as end_arr_cents,
        customers_start,
        customers_end,
        new_customers,
        reactivated_customers,
        churned_customers,
        case
            when customers_end > 0 then cast(end_mrr_cents as {{ vitals.type_double() }}) / customers_end
        end as arpa_month_end_cents,
        case
            when start_mrr_cents > 0
                then cast(retained_cohort_end_mrr_cents as {{ vitals.type_double() }}) / start_mrr_cents
        end as nrr,
        case
            when start_mrr_cents > 0
                then
                    cast(start_mrr_cents - contraction_mrr_cents - churned_mrr_cents as {{ vitals.type_double() }})
                    / start_mrr_cents
        end as grr,
        case
            when customers_start > 0 then cast(churned_customers as {{ vitals.type_double() }}) / customers_start
        end as logo_churn_rate,
        case
            when start_mrr_cents > 0
                then cast(contraction_mrr_cents + churned_mrr_cents as {{ vitals.type_double() }}) / start_mrr_cents
        end as revenue_churn_rate,
        case
            when customers_end > 0 and churned_customers_3m > 0
                then
                    (cast(end_mrr_cents as {{ vitals.type_double() }}) / customers_end)
                    / (cast(churned_customers_3m as {{ vitals.type_double() }}) / customers_start_3m)
        end as ltv_cents
    from with_trailing_churn
)

select * from final
