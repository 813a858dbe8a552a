{#-
    Every deal as it stands at the build's as-of time (int_sales_deals) with its activity (count and the last
    one) and, for an open deal, how it stands on the as-of day: days since its last stage change or activity,
    stalled or not, and whether its org pays (expansion pipeline).
-#}

{{
    config(
        indexes=[
            {'columns': ['deal_id'], 'unique': true},
        ],
    )
}}

with

deals as (
    select * from {{ ref('int_sales_deals') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

as_of_day as (
    select * from {{ ref('int_sales_open_deal_days') }}
    where metric_date = {{ vitals.as_of_date() }}
),

deal_activities as (
    select
        deal_id,
        count(*) as activities,
        max(occurred_at) as last_activity_at
    from activities
    where deal_id is not null
    group by deal_id
),

final as (
    select
        deals.deal_id,
        deals.org_id,
        deals.company_name,
        deals.company_domain,
        deals.owner_id,
        deals.team,
        deals.pipeline,
        deals.stage,
        deals.source_channel,
        deals.amount_cents,
        deals.original_amount_cents,
        deals.original_currency,
        deals.created_at,
        deals.expected_close_date,
        deals.closed_at,
        deals.is_open,
        deals.is_won,
        deals.is_lost,
        deals.lost_reason,
        deals.days_to_close,
        deals.stage_probability,
        deals.weighted_amount_cents,
        deals.forecast_category,
        deals.stage_entered_at,
        coalesce(deal_activities.activities, 0) as activities,
        deal_activities.last_activity_at,
        as_of_day.days_since_touch,
        as_of_day.is_stalled,
        as_of_day.is_expansion
    from deals
    left join deal_activities
        on deals.deal_id = deal_activities.deal_id
    left join as_of_day
        on deals.deal_id = as_of_day.deal_id
)

select * from final
