{#-
    The sales forecast by expected close month, as of the build's as-of time (SPEC 6.8): the open deals by the
    month of their expected close date (an overdue one in the as-of month; one without a date is not
    forecast), their amount, weighted amount and the part in commit and best-case stages (setting
    sales.forecast_categories), and the amount already won in the as-of month. Commit forecast = won + open
    commit; best-case forecast = commit forecast + open best case.
-#}

with

deals as (
    select * from {{ ref('int_sales_deals') }}
),

as_of_month as (
    select {{ vitals.month_start(vitals.as_of_date()) }} as month_start
),

open_forecast as (
    select
        greatest(
            {{ vitals.month_start('deals.expected_close_date') }}, as_of_month.month_start
        ) as forecast_month,
        count(*) as open_deals,
        sum(deals.amount_cents) as pipeline_cents,
        sum(deals.weighted_amount_cents) as weighted_pipeline_cents,
        coalesce(sum(case when deals.forecast_category = 'commit' then deals.amount_cents end), 0)
            as commit_open_cents,
        coalesce(sum(case when deals.forecast_category = 'best_case' then deals.amount_cents end), 0)
            as best_case_open_cents
    from deals
    cross join as_of_month
    where deals.is_open and deals.expected_close_date is not null
    group by greatest({{ vitals.month_start('deals.expected_close_date') }}, as_of_month.month_start)
),

won_this_month as (
    select
        as_of_month.month_start as forecast_month,
        sum(deals.amount_cents) as won_amount_cents
    from deals
    inner join as_of_month
        on {{ vitals.month_start('deals.closed_date') }} = as_of_month.month_start
    where deals.is_won
    group by as_of_month.month_start
),

forecast_months as (
    select forecast_month from open_forecast
    union
    select forecast_month from won_this_month
),

final as (
    select
        forecast_months.forecast_month as month_start,
        coalesce(open_forecast.open_deals, 0) as open_deals,
        coalesce(open_forecast.pipeline_cents, 0) as pipeline_cents,
        coalesce(open_forecast.weighted_pipeline_cents, 0) as weighted_pipeline_cents,
        coalesce(open_forecast.commit_open_cents, 0) as commit_open_cents,
        coalesce(open_forecast.best_case_open_cents, 0) as best_case_open_cents,
        coalesce(won_this_month.won_amount_cents, 0) as won_amount_cents,
        coalesce(won_this_month.won_amount_cents, 0) + coalesce(open_forecast.commit_open_cents, 0)
            as forecast_commit_cents,
        coalesce(won_this_month.won_amount_cents, 0) + coalesce(open_forecast.commit_open_cents, 0)
        + coalesce(open_forecast.best_case_open_cents, 0) as forecast_best_case_cents
    from forecast_months
    left join open_forecast
        on forecast_months.forecast_month = open_forecast.forecast_month
    left join won_this_month
        on forecast_months.forecast_month = won_this_month.forecast_month
)

select * from final
