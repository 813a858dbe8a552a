{#-
    Deals as of each day (SPEC 6.8): one row per deal and business day it is open, as its newest version of
    that day says (int_sales_open_deal_days), for BI tools: pipeline by stage, owner and day.
-#}

{{
    config(
        indexes=[
            {'columns': ['metric_date', 'deal_id'], 'unique': true},
        ],
    )
}}

with

open_deal_days as (
    select * from {{ ref('int_sales_open_deal_days') }}
),

final as (
    select
        metric_date,
        deal_id,
        org_id,
        owner_id,
        pipeline,
        stage,
        amount_cents,
        stage_probability,
        weighted_amount_cents,
        forecast_category,
        expected_close_date,
        is_closing_this_quarter,
        stage_entered_at,
        last_activity_at,
        days_since_touch,
        is_stalled,
        is_expansion
    from open_deal_days
)

select * from final
