{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='invoice_id',
        pre_hook=[
            "{{ vitals.state_row_sql() }}",
            "{{ vitals.read_mark_sql(source('stripe', 'stripe_billing_big')) }}",
        ],
        post_hook=[
            "{{ vitals.pending_insert_sql(source('stripe', 'stripe_billing_big'), 'invoice_id', 'period_start', 'text') }}",
            "{{ vitals.pending_prune_sql() }}",
            "{{ vitals.state_advance_sql() }}",
        ],
        indexes=[
            {'columns': ['invoice_id'], 'unique': vitals.builds_incrementally() and target.type != 'duckdb'},
            {'columns': ['org_id', 'period_start']},
        ],
    )
}}

with

source as (
    -- on an incremental build, every raw copy of the ids that changed since the last one
    select * from {{ source('stripe', 'stripe_billing_big') }}
    where {{ vitals.changed_rows_filter(source('stripe', 'stripe_billing_big'), 'invoice_id', 'text') }}
),

cleaned as (
    select
        -- Stripe object ids are case-sensitive: trimmed, not lowercased
        {{ vitals.clean_text('invoice_id') }} as invoice_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.clean_text('customer_id') }} as customer_id,
        {{ vitals.clean_text('subscription_id') }} as subscription_id,
        {{ vitals.clean_text('price_id') }} as price_id,
        {{ vitals.clean_text('product') }} as product,
        upper({{ vitals.clean_text('currency') }}) as currency,
        {{ vitals.clean_text('period_start') }} as period_start_text,
        {{ vitals.clean_text('period_end') }} as period_end_text,
        trim(amount_cents) as amount_cents_text,
        trim(subtotal_cents) as subtotal_cents_text,
        trim(tax_cents) as tax_cents_text,
        trim(discount_cents) as discount_cents_text,
        trim(quantity) as quantity_text,
        {{ vitals.clean_text('status', lower=true) }} as status,
        {{ vitals.clean_text('paid_at') }} as paid_at_text,
        trim(refunded_cents) as refunded_cents_text,
        trim(mrr_cents) as mrr_cents_text,
        churn_flag as churn_flag_text,
        expansion_flag as expansion_flag_text,
        {{ vitals.clean_text('_ingest_source') }} as ingest_source,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        invoice_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        {{ vitals.is_invalid_uuid('org_id') }} as has_invalid_org_id,
        customer_id,
        subscription_id,
        price_id,
        product,
        currency,
        {{ vitals.parse_utc_timestamp('period_start_text') }} as period_start,
        {{ vitals.parse_utc_timestamp('period_end_text') }} as period_end,
        {{ vitals.try_cast_bigint('amount_cents_text') }} as amount_cents,
        {{ vitals.try_cast_bigint('subtotal_cents_text') }} as subtotal_cents,
        {{ vitals.try_cast_bigint('tax_cents_text') }} as tax_cents,
        {{ vitals.try_cast_bigint('discount_cents_text') }} as discount_cents,
        {{ vitals.try_cast_bigint('quantity_text') }} as quantity,
        status,
        {{ vitals.parse_utc_timestamp('paid_at_text') }} as paid_at,
        {{ vitals.try_cast_bigint('refunded_cents_text') }} as refunded_cents,
        {{ vitals.try_cast_bigint('mrr_cents_text') }} as mrr_cents,
        {{ vitals.try_cast_boolean('churn_flag_text') }} as is_churn,
        {{ vitals.try_cast_boolean('expansion_flag_text') }} as is_expansion,
        ingest_source,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

visible as (
    -- only invoices whose period started at or before the build's as-of time
    select
        *,
        row_number() over (
            partition by invoice_id
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as state_rank,
        count(*) over (partition by invoice_id) as states
    from typed
    where
        invoice_id is not null
        and period_start is not null
        and period_start <= {{ vitals.as_of() }}
),

final as (
    -- the last ingested state of each invoice wins (invoices change status)
    select
        invoice_id,
        org_id,
        customer_id,
        subscription_id,
        price_id,
        product,
        currency,
        period_start,
        period_end,
        amount_cents,
        subtotal_cents,
        tax_cents,
        discount_cents,
        quantity,
        status,
        paid_at,
        refunded_cents,
        mrr_cents,
        is_churn,
        is_expansion,
        ingest_source,
        ingested_at,
        loaded_at,
        has_invalid_org_id,
        states - 1 as duplicates_dropped
    from visible
    where state_rank = 1
)

select * from final
