{#-
    The sales facts at (entity_type, entity_id, metric_date) grain, wide (SPEC 6.8), global and per org (the
    deal's org; prospects count globally only), every business day from the entity's first deal, close or
    activity day to the as-of date. No CRM data loaded: no row at all (the source is not connected).
      - pipeline, as of each day (int_sales_open_deal_days): open deals, their amount, weighted amount, the
        stalled ones, the expansion pipeline (deals of orgs paying that day) and the amount expected to close
        in the day's quarter;
      - flows, dated by what is known at the as-of time (int_sales_deals): deals created, won and lost that day
        and the amounts, activities that day;
      - trailing windows (the day and the 89 before it, macro sales_window_days): win rate by count and by
        amount among deals closed in the window, average and median won deal size, median sales cycle (days
        from creation to close of the deals won);
      - global only: quota attainment month to date (won amount closed in the month through the day ÷ the
        month's quota) and coverage (open amount expected to close in the quarter ÷ the quarter's quota less
        the amount won in it through the day; none once the quota is met).
-#}
{%- set window_days = vitals.sales_window_days() | int -%}

with

open_deal_days as (
    {{ vitals.marts_scoped(ref('int_sales_open_deal_days'), [
        'metric_date', 'deal_id', 'amount_cents', 'weighted_amount_cents', 'is_stalled', 'is_expansion',
        'is_closing_this_quarter',
    ]) }}
),

deals as (
    {{ vitals.marts_scoped(ref('int_sales_deals'), [
        'deal_id', 'created_date', 'closed_date', 'is_won', 'is_lost', 'amount_cents', 'days_to_close',
    ]) }}
),

activities as (
    {{ vitals.marts_scoped(ref('stg_crm__activities'), ['activity_id', 'activity_date']) }}
),

quota_months as (
    select
        month_start,
        sum(quota_cents) as quota_cents
    from {{ ref('int_sales_quotas') }}
    group by month_start
),

quota_quarters as (
    select
        {{ vitals.quarter_start('month_start') }} as quarter_start,
        sum(quota_cents) as quota_cents
    from quota_months
    group by {{ vitals.quarter_start('month_start') }}
),

entity_firsts as (
    select
        entity_type,
        entity_id,
        metric_date as first_day
    from open_deal_days
    union all
    select
        entity_type,
        entity_id,
        created_date as first_day
    from deals
    union all
    select
        entity_type,
        entity_id,
        closed_date as first_day
    from deals
    where closed_date is not null
    union all
    select
        entity_type,
        entity_id,
        activity_date as first_day
    from activities
),

entity_starts as (
    select
        entity_type,
        entity_id,
        min(first_day) as start_day
    from entity_firsts
    group by entity_type, entity_id
    having min(first_day) <= {{ vitals.as_of_date() }}
),

entity_days as (
    {{ vitals.date_spine_select(
        'start_day', vitals.as_of_date(), 'entity_starts', carry=['entity_type', 'entity_id']
    ) }}
),

pipeline as (
    select
        entity_type,
        entity_id,
        metric_date,
        count(*) as open_deals,
        sum(amount_cents) as pipeline_cents,
        sum(weighted_amount_cents) as weighted_pipeline_cents,
        {{ vitals.count_if('is_stalled') }} as stalled_deals,
        sum(case when is_expansion then amount_cents else 0 end) as expansion_pipeline_cents,
        sum(case when is_closing_this_quarter then amount_cents else 0 end) as closing_this_quarter_cents
    from open_deal_days
    group by entity_type, entity_id, metric_date
),

created as (
    select
        entity_type,
        entity_id,
        created_date as metric_date,
        count(*) as deals_created,
        sum(amount_cents) as pipeline_created_cents
    from deals
    group by entity_type, entity_id, created_date
),

closed as (
    select
        entity_type,
        entity_id,
        closed_date as metric_date,
        {{ vitals.count_if('is_won') }} as deals_won,
        {{ vitals.count_if('is_lost') }} as deals_lost,
        sum(case when is_won then amount_cents else 0 end) as won_amount_cents
    from deals
    where closed_date is not null
    group by entity_type, entity_id, closed_date
),

activity_counts as (
    select
        entity_type,
        entity_id,
        activity_date as metric_date,
        count(*) as activities
    from activities
    group by entity_type, entity_id, activity_date
),

closed_windows as (
    -- the deals closed in the trailing window, in the month and in the quarter of each day
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.day as metric_date,
        deals.is_won,
        deals.is_lost,
        deals.amount_cents,
        deals.days_to_close,
        deals.closed_date >= {{ vitals.add_days('entity_days.day', 1 - window_days) }} as in_window,
        deals.closed_date >= {{ vitals.month_start('entity_days.day') }} as in_month,
        deals.closed_date >= {{ vitals.quarter_start('entity_days.day') }} as in_quarter
    from entity_days
    inner join deals
        on
            entity_days.entity_type = deals.entity_type
            and entity_days.entity_id = deals.entity_id
            and entity_days.day >= deals.closed_date
            and least(
                {{ vitals.add_days('entity_days.day', 1 - window_days) }},
                {{ vitals.quarter_start('entity_days.day') }}
            ) <= deals.closed_date
),

windowed_totals as (
    select
        entity_type,
        entity_id,
        metric_date,
        {{ vitals.count_if('is_won and in_window') }} as won_deals_window,
        {{ vitals.count_if('is_lost and in_window') }} as lost_deals_window,
        coalesce(sum(case when is_won and in_window then amount_cents end), 0) as won_amount_window_cents,
        coalesce(sum(case when is_lost and in_window then amount_cents end), 0) as lost_amount_window_cents,
        cast(
            {{ vitals.percentile('case when is_won and in_window then amount_cents end', 0.5) }}
            as {{ vitals.type_double() }}
        ) as median_won_amount_cents,
        cast(
            {{ vitals.percentile('case when is_won and in_window then days_to_close end', 0.5) }}
            as {{ vitals.type_double() }}
        ) as median_days_to_close,
        coalesce(sum(case when is_won and in_month then amount_cents end), 0) as won_amount_mtd_cents,
        coalesce(sum(case when is_won and in_quarter then amount_cents end), 0) as won_amount_qtd_cents
    from closed_windows
    group by entity_type, entity_id, metric_date
),

combined as (
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.day as metric_date,
        coalesce(pipeline.open_deals, 0) as open_deals,
        coalesce(pipeline.pipeline_cents, 0) as pipeline_cents,
        coalesce(pipeline.weighted_pipeline_cents, 0) as weighted_pipeline_cents,
        coalesce(pipeline.stalled_deals, 0) as stalled_deals,
        coalesce(pipeline.expansion_pipeline_cents, 0) as expansion_pipeline_cents,
        coalesce(pipeline.closing_this_quarter_cents, 0) as closing_this_quarter_cents,
        coalesce(created.deals_created, 0) as deals_created,
        coalesce(created.pipeline_created_cents, 0) as pipeline_created_cents,
        coalesce(closed.deals_won, 0) as deals_won,
        coalesce(closed.deals_lost, 0) as deals_lost,
        coalesce(closed.won_amount_cents, 0) as won_amount_cents,
        coalesce(activity_counts.activities, 0) as activities,
        coalesce(windowed_totals.won_deals_window, 0) as won_deals_window,
        coalesce(windowed_totals.lost_deals_window, 0) as lost_deals_window,
        coalesce(windowed_totals.won_amount_window_cents, 0) as won_amount_window_cents,
        coalesce(windowed_totals.lost_amount_window_cents, 0) as lost_amount_window_cents,
        windowed_totals.median_won_amount_cents,
        windowed_totals.median_days_to_close,
        coalesce(windowed_totals.won_amount_mtd_cents, 0) as won_amount_mtd_cents,
        coalesce(windowed_totals.won_amount_qtd_cents, 0) as won_amount_qtd_cents,
        case when entity_days.entity_type = 'global' then quota_months.quota_cents end as quota_month_cents,
        case when entity_days.entity_type = 'global' then quota_quarters.quota_cents end as quota_quarter_cents
    from entity_days
    left join pipeline
        on
            entity_days.entity_type = pipeline.entity_type
            and entity_days.entity_id = pipeline.entity_id
            and entity_days.day = pipeline.metric_date
    left join created
        on
            entity_days.entity_type = created.entity_type
            and entity_days.entity_id = created.entity_id
            and entity_days.day = created.metric_date
    left join closed
        on
            entity_days.entity_type = closed.entity_type
            and entity_days.entity_id = closed.entity_id
            and entity_days.day = closed.metric_date
    left join activity_counts
        on
            entity_days.entity_type = activity_counts.entity_type
            and entity_days.entity_id = activity_counts.entity_id
            and entity_days.day = activity_counts.metric_date
    left join windowed_totals
        on
            entity_days.entity_type = windowed_totals.entity_type
            and entity_days.entity_id = windowed_totals.entity_id
            and entity_days.day = windowed_totals.metric_date
    left join quota_months
        on {{ vitals.month_start('entity_days.day') }} = quota_months.month_start
    left join quota_quarters
        on {{ vitals.quarter_start('entity_days.day') }} = quota_quarters.quarter_start
),

final as (
    select
        entity_type,
        entity_id,
        metric_date,
        open_deals as sales_open_deals,
        pipeline_cents as sales_pipeline_cents,
        weighted_pipeline_cents as sales_weighted_pipeline_cents,
        stalled_deals as sales_stalled_deals,
        expansion_pipeline_cents as sales_expansion_pipeline_cents,
        closing_this_quarter_cents as sales_closing_this_quarter_cents,
        deals_created as sales_deals_created,
        pipeline_created_cents as sales_pipeline_created_cents,
        deals_won as sales_deals_won,
        deals_lost as sales_deals_lost,
        won_amount_cents as sales_won_amount_cents,
        activities as sales_activities,
        won_deals_window as sales_won_deals_90d,
        lost_deals_window as sales_lost_deals_90d,
        {{ vitals.safe_divide('won_deals_window', '(won_deals_window + lost_deals_window)') }} as sales_win_rate_90d,
        {{ vitals.safe_divide('won_amount_window_cents', '(won_amount_window_cents + lost_amount_window_cents)') }}
            as sales_win_rate_amount_90d,
        {{ vitals.safe_divide('won_amount_window_cents', 'won_deals_window') }} as sales_average_deal_size_90d_cents,
        median_won_amount_cents as sales_median_deal_size_90d_cents,
        median_days_to_close as sales_cycle_days_90d,
        won_amount_mtd_cents as sales_won_amount_mtd_cents,
        quota_month_cents as sales_quota_month_cents,
        {{ vitals.safe_divide('won_amount_mtd_cents', 'quota_month_cents') }} as sales_quota_attainment_mtd,
        won_amount_qtd_cents as sales_won_amount_qtd_cents,
        quota_quarter_cents as sales_quota_quarter_cents,
        case
            when quota_quarter_cents - won_amount_qtd_cents > 0
                then {{ vitals.safe_divide(
                    'closing_this_quarter_cents', '(quota_quarter_cents - won_amount_qtd_cents)'
                ) }}
        end as sales_pipeline_coverage
    from combined
)

select * from final
