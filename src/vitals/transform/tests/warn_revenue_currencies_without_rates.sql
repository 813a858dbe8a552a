{{ config(severity='warn') }}
-- Amounts in a currency with no rate in raw.currency_rates count 0 in MRR: one row per org
-- affected, so `vitals build` warns with what to load (a currency_rates.csv, see docs/metrics/revenue.md).
select
    org_id,
    min(metric_date) as first_day,
    max(metric_date) as last_day
from {{ ref('int_revenue_mrr_daily') }}
where has_unconverted_amount
group by org_id
