{#-
    Every deal as it stands at the build's as-of time: its newest version (deleted and merged deals left out),
    with its amount in the reporting currency at the rate of its close day (an open deal: of the as-of day),
    its owner's team, its stage probability, weighted amount and forecast category while open (settings
    sales.stage_probabilities and sales.forecast_categories), and the days from creation to close.
-#}

with

current_versions as (
    select * from {{ ref('int_sales_deal_versions') }}
    where is_current_version and not is_removed
),

owners as (
    select * from {{ ref('int_sales_owners') }}
),

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

dated as (
    select
        *,
        {{ vitals.business_date('created_at') }} as created_date,
        {{ vitals.business_date('closed_at') }} as closed_date,
        coalesce({{ vitals.business_date('closed_at') }}, {{ vitals.as_of_date() }}) as amount_date
    from current_versions
),

converted as (
    select
        dated.*,
        {{ vitals.to_reporting_cents('dated.amount_cents', 'dated.currency', 'rates.rate') }} as reporting_amount_cents
    from dated
    left join rates
        on
            dated.currency = rates.currency
            and dated.amount_date = rates.metric_date
),

final as (
    select
        converted.deal_id,
        converted.org_id,
        converted.company_name,
        converted.company_domain,
        converted.owner_id,
        owners.team,
        converted.pipeline,
        converted.stage,
        converted.source_channel,
        converted.reporting_amount_cents as amount_cents,
        converted.amount_cents as original_amount_cents,
        converted.currency as original_currency,
        converted.created_at,
        converted.created_date,
        converted.expected_close_date,
        converted.closed_at,
        converted.closed_date,
        converted.version_state = 'open' as is_open,
        converted.version_state = 'won' as is_won,
        converted.version_state = 'lost' as is_lost,
        converted.lost_reason,
        case when converted.version_state = 'open' then {{ vitals.sales_stage_probability('converted.stage') }} end
            as stage_probability,
        case
            when converted.version_state = 'open'
                then converted.reporting_amount_cents * {{ vitals.sales_stage_probability('converted.stage') }}
        end as weighted_amount_cents,
        case when converted.version_state = 'open' then {{ vitals.sales_forecast_category('converted.stage') }} end
            as forecast_category,
        case
            when converted.closed_date is not null
                then {{ vitals.days_between('converted.created_date', 'converted.closed_date') }}
        end as days_to_close,
        converted.stage_entered_at,
        converted.updated_at
    from converted
    left join owners
        on converted.owner_id = owners.owner_id
)

select * from final
