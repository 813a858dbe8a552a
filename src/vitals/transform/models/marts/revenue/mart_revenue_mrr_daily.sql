{#-
    Daily MRR per org from invoices (SPEC §6.4): on each business day, the mrr_cents of the latest
    (by period start) paid or open invoice whose period covers the end of that day; on the as-of day,
    the one covering the as-of time, so the last day equals organizations.mrr_cents. Void and
    uncollectible invoices count as none; a churn_flag invoice still counts until its period_end.
    Every day from the org's first billed day to the as-of date, 0 where nothing covers it.
-#}

with

invoices as (
    select
        org_id,
        invoice_id,
        period_start,
        period_end,
        ingested_at,
        coalesce(mrr_cents, 0) as mrr_cents
    from {{ ref('stg_stripe__invoices') }}
    where org_id is not null and status in ('paid', 'open')
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
        invoices.mrr_cents,
        row_number() over (
            partition by org_days.org_id, org_days.day
            order by invoices.period_start desc, invoices.ingested_at desc, invoices.invoice_id desc
        ) as covering_rank
    from org_days
    inner join invoices
        on
            org_days.org_id = invoices.org_id
            and (
                (
                    org_days.day < {{ vitals.as_of_date() }}
                    and {{ vitals.business_date('invoices.period_start') }} <= org_days.day
                    and {{ vitals.business_date('invoices.period_end') }} > org_days.day
                )
                or (
                    org_days.day = {{ vitals.as_of_date() }}
                    and invoices.period_start <= {{ vitals.as_of() }}
                    and invoices.period_end > {{ vitals.as_of() }}
                )
            )
),

final as (
    select
        org_days.day as metric_date,
        org_days.org_id,
        coalesce(ranked_covering.mrr_cents, 0) as mrr_cents,
        12 * coalesce(ranked_covering.mrr_cents, 0) as arr_cents
    from org_days
    left join ranked_covering
        on
            org_days.org_id = ranked_covering.org_id
            and org_days.day = ranked_covering.metric_date
            and ranked_covering.covering_rank = 1
)

select * from final
