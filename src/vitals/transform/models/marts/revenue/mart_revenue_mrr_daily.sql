{#-
    Daily MRR per org (SPEC §6.4) in the reporting currency: from subscription states where they exist,
    else from invoices (int_revenue_mrr_daily says which, and why). Every day from the org's first billed
    day to the as-of date, 0 where nothing pays; the last day equals organizations.mrr_cents.
-#}

with

daily as (
    select * from {{ ref('int_revenue_mrr_daily') }}
),

final as (
    select
        metric_date,
        org_id,
        mrr_cents,
        12 * mrr_cents as arr_cents,
        mrr_source
    from daily
)

select * from final
