{#-
    The company's sales per business day, wide, for BI tools: the global rows of int_sales_daily (pipeline as
    of the day, the day's flows, the trailing 90-day win rates, deal sizes and cycle, quota attainment month to
    date and coverage). Empty until CRM deals are loaded.
-#}

{{
    config(
        indexes=[
            {'columns': ['metric_date'], 'unique': true},
        ],
    )
}}

with

sales_wide as (
    select * from {{ ref('int_sales_daily') }}
    where entity_type = 'global'
),

final as (
    select
        metric_date,
        sales_open_deals,
        sales_pipeline_cents,
        sales_weighted_pipeline_cents,
        sales_stalled_deals,
        sales_expansion_pipeline_cents,
        sales_closing_this_quarter_cents,
        sales_deals_created,
        sales_pipeline_created_cents,
        sales_deals_won,
        sales_deals_lost,
        sales_won_amount_cents,
        sales_activities,
        sales_won_deals_90d,
        sales_lost_deals_90d,
        sales_win_rate_90d,
        sales_win_rate_amount_90d,
        sales_average_deal_size_90d_cents,
        sales_median_deal_size_90d_cents,
        sales_cycle_days_90d,
        sales_won_amount_mtd_cents,
        sales_quota_month_cents,
        sales_quota_attainment_mtd,
        sales_won_amount_qtd_cents,
        sales_quota_quarter_cents,
        sales_pipeline_coverage
    from sales_wide
)

select * from final
