{#-
    The monthly MRR bridge and ratios over all orgs (SPEC §6.4), one row per business month from the
    first billed month to the as-of month: the global rows of mart_revenue_segments_monthly, where the bridge
    (start + new + expansion + reactivation - contraction - churn = end), ARR, ARPA, NRR, GRR, logo and revenue
    churn and LTV are computed.
-#}

with

final as (
    select
        month_start,
        last_day,
        start_mrr_cents,
        new_mrr_cents,
        expansion_mrr_cents,
        reactivation_mrr_cents,
        contraction_mrr_cents,
        churned_mrr_cents,
        end_mrr_cents,
        end_arr_cents,
        customers_start,
        customers_end,
        new_customers,
        reactivated_customers,
        churned_customers,
        arpa_month_end_cents,
        nrr,
        grr,
        logo_churn_rate,
        revenue_churn_rate,
        ltv_cents
    from {{ ref('mart_revenue_segments_monthly') }}
    where segment_type = 'global'
)

select * from final
