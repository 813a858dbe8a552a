{#-
    Daily MRR per org from invoices (SPEC §6.4), in the reporting currency: on each business day, the
    mrr_cents of the latest (by period start) paid or open invoice whose period covers the end of that day;
    on the as-of day, the one covering the as-of time. Void and uncollectible invoices count as none; a
    churn_flag invoice still counts until its period_end. Every day from the org's first billed day to the
    as-of date, 0 where nothing covers it. An amount whose currency has no rate counts 0 and is flagged.
-#}

with

invoices as (
    select
        org_id,
        invoice_id,
        coalesce(currency, {{ vitals.reporting_currency() }}) as currency,
        period_start,
        period_end,
        ingested_at,
        coalesce(mrr_cents, 0) as mrr_cents
    from {{ ref('stg_stripe__invoices') }}
    where org_id is not null and status in ('paid', 'open')
),

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

org_starts as (
    select
        org_id,
        min({{ vitals.business_date('period_start') }}) as start_day
    from invoices
    group by org_id
),

org_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'org_starts', carry=['org_id']) }}
),

ranked_covering as (
    select
        org_days.org_id,
        org_days.day as metric_date,
        invoices.currency,
        invoices.mrr_cents,
        row_number() over (
            partition by org_days.org_id, org_days.day
            order by invoices.period_start desc, invoices.ingested_at desc, invoices.invoice_id desc
        ) as covering_rank
    from org_days
    inner join invoices
        on
            org_days.org_id = invoices.org_id
            and {{ vitals.covers_business_day('invoices.period_start', 'invoices.period_end', 'org_days.day') }}
),

converted as (
    select
        ranked_covering.org_id,
        ranked_covering.metric_date,
        ranked_covering.mrr_cents,
        ranked_covering.mrr_cents * {{ vitals.to_reporting_factor('ranked_covering.currency', 'rates.rate') }}
            as mrr_reporting
    from ranked_covering
    left join rates
        on
            ranked_covering.currency = rates.currency
            and ranked_covering.metric_date = rates.metric_date
    where ranked_covering.covering_rank = 1
),

final as (
    select
        org_days.day as metric_date,
        org_days.org_id,
        coalesce({{ vitals.round_half_away('converted.mrr_reporting') }}, 0) as mrr_cents,
        coalesce(converted.mrr_cents <> 0 and converted.mrr_reporting is null, false) as has_unconverted_amount
    from org_days
    left join converted
        on
            org_days.org_id = converted.org_id
            and org_days.day = converted.metric_date
)

select * from final
