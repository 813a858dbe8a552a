{#-
    Seed 000 "orgs that might need training/support", over the last 30 days before the as-of time:
    orgs with at least 20 jobs completed in the window; they need training when the Review share of
    those jobs is >= 50% or Sentry errors (error/fatal) reach >= 5 per 100 attempt events
    (note_submit, summarize_start, note_save; deduplicated), and they paid an invoice whose period
    ended within the window or later. Thresholds are compared exactly (not after rounding).
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

events as (
    select * from {{ ref('stg_app__events') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

status_by_org as (
    -- jobs completed in the window (i.e. successful ones) and their patient status
    select
        org_id,
        count(*) as completed_jobs_30d,
        cast({{ vitals.count_if("patient_status = 'Review'") }} as {{ dbt.type_bigint() }}) as review_jobs_30d,
        cast({{ vitals.count_if("patient_status = 'Locked'") }} as {{ dbt.type_bigint() }}) as locked_jobs_30d
    from jobs
    where completed_at >= {{ vitals.analyses_window_start() }}
    group by org_id
),

errors_by_org as (
    select
        org_id,
        count(*) as error_events_30d
    from errors
    where
        org_id is not null
        and level in ('error', 'fatal')
        and created_at >= {{ vitals.analyses_window_start() }}
    group by org_id
),

attempts_by_org as (
    select
        org_id,
        count(*) as attempt_events_30d
    from events
    where
        org_id is not null
        and event_name in ('note_submit', 'summarize_start', 'note_save')
        and occurred_at >= {{ vitals.analyses_window_start() }}
    group by org_id
),

billing_by_org as (
    -- every invoice state visible at the as-of time (the last ingested state of each invoice)
    select
        org_id,
        max(
            case
                when status = 'paid' and period_end >= {{ vitals.analyses_window_start() }} then 1
                else 0
            end
        ) = 1 as paid_recently,
        max(mrr_cents) as max_invoice_mrr_cents,
        max(quantity) as max_invoice_seats
    from invoices
    where org_id is not null
    group by org_id
),

combined as (
    select
        status_by_org.org_id,
        organizations.org_name,
        coalesce(billing_by_org.paid_recently, false) as paid_recently,
        billing_by_org.max_invoice_mrr_cents,
        billing_by_org.max_invoice_seats,
        status_by_org.completed_jobs_30d,
        status_by_org.review_jobs_30d,
        status_by_org.locked_jobs_30d,
        coalesce(errors_by_org.error_events_30d, 0) as error_events_30d,
        coalesce(attempts_by_org.attempt_events_30d, 0) as attempt_events_30d
    from status_by_org
    inner join organizations
        on status_by_org.org_id = organizations.org_id
    left join errors_by_org
        on status_by_org.org_id = errors_by_org.org_id
    left join attempts_by_org
        on status_by_org.org_id = attempts_by_org.org_id
    left join billing_by_org
        on status_by_org.org_id = billing_by_org.org_id
    where status_by_org.completed_jobs_30d >= 20
),

final as (
    select
        org_id,
        org_name,
        paid_recently,
        max_invoice_mrr_cents,
        max_invoice_seats,
        completed_jobs_30d,
        review_jobs_30d,
        locked_jobs_30d,
        {{ vitals.safe_divide('review_jobs_30d', 'completed_jobs_30d') }} as review_rate_30d,
        error_events_30d,
        attempt_events_30d,
        100 * {{ vitals.safe_divide('error_events_30d', 'attempt_events_30d') }} as errors_per_100_attempts_30d,
        (
            (
                -- review share >= 50%
                2 * review_jobs_30d >= completed_jobs_30d
                -- errors >= 5 per 100 attempts
                or (attempt_events_30d > 0 and 20 * error_events_30d >= attempt_events_30d)
            )
            and paid_recently
        ) as needs_training
    from combined
)

select * from final
