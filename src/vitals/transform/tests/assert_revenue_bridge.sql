-- The MRR bridge holds for every org and month, and for the totals:
-- start + new + expansion + reactivation - contraction - churn = end. Any row returned fails the build.
select
    'org' as grain,
    month_start,
    org_id
from {{ ref('mart_revenue_movements_monthly') }}
where
    start_mrr_cents + new_mrr_cents + expansion_mrr_cents + reactivation_mrr_cents
    - contraction_mrr_cents - churned_mrr_cents <> end_mrr_cents
union all
select
    'global' as grain,
    month_start,
    null as org_id
from {{ ref('mart_revenue_monthly') }}
where
    start_mrr_cents + new_mrr_cents + expansion_mrr_cents + reactivation_mrr_cents
    - contraction_mrr_cents - churned_mrr_cents <> end_mrr_cents
    or grr > 1
