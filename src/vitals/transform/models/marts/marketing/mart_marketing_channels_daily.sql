{#-
    Marketing per business day and channel, for BI tools (int_marketing_channel_days): leads, MQLs and SQLs of
    the day (each lead as it stands at the as-of time) and the spend in the reporting currency.
-#}

{{
    config(
        indexes=[
            {'columns': ['metric_date', 'channel'], 'unique': true},
        ],
    )
}}

with

channel_days as (
    select * from {{ ref('int_marketing_channel_days') }}
),

final as (
    select
        metric_date,
        channel,
        leads,
        mqls,
        sqls,
        spend_cents
    from channel_days
)

select * from final
