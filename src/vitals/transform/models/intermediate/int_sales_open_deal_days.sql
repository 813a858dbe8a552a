{#-
    Deals as of each day (SPEC 6.8): one row per deal and business day on which it is open, read from its
    newest version as of that day (the last version dated on or before it; on the as-of day, at or before the
    as-of time). A deal is open on day d when it was created by d and not closed by d (closed on a later day, or
    not at all) and that version is not deleted or merged. Each row carries the amount at that day's rate, the
    stage probability and weighted amount, the forecast category, whether the deal is expected to close in d's
    quarter, the last stage change and activity as of d, whether it is stalled (no stage change and no activity
    for sales.stalled_days days) and whether its org paid on d (expansion pipeline).
-#}

with

versions as (
    -- deleted and merged versions too: from their day on, the deal no longer exists
    select * from {{ ref('int_sales_deal_versions') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
    where deal_id is not null
),

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

paying_org_days as (
    select
        org_id,
        metric_date
    from {{ ref('int_revenue_mrr_daily') }}
    where mrr_cents > 0
),

last_version_of_day as (
    select
        *,
        row_number() over (partition by deal_id, version_date order by updated_at desc) as day_rank
    from versions
),

day_versions as (
    -- each deal's last version of a day holds until the day before its next version's day
    select
        *,
        lead(version_date) over (partition by deal_id order by version_date) as next_version_date
    from last_version_of_day
    where day_rank = 1
),

open_bounds as (
    select
        day_versions.deal_id,
        day_versions.org_id,
        day_versions.owner_id,
        day_versions.pipeline,
        day_versions.stage,
        day_versions.amount_cents,
        day_versions.currency,
        day_versions.expected_close_date,
        day_versions.stage_entered_at,
        greatest(day_versions.version_date, {{ vitals.business_date('day_versions.created_at') }}) as start_day,
        least(
            coalesce({{ vitals.add_days('day_versions.next_version_date', -1) }}, {{ vitals.as_of_date() }}),
            coalesce(
                {{ vitals.add_days(vitals.business_date('day_versions.closed_at'), -1) }}, {{ vitals.as_of_date() }}
            )
        ) as end_day
    from day_versions
    where not day_versions.is_removed
),

open_spans as (
    select * from open_bounds
    where start_day <= end_day
),

open_days as (
    {{ vitals.date_spine_select('start_day', 'end_day', 'open_spans', carry=[
        'deal_id', 'org_id', 'owner_id', 'pipeline', 'stage', 'amount_cents', 'currency',
        'expected_close_date', 'stage_entered_at',
    ]) }}
),

deal_activity_days as (
    select
        deal_id,
        activity_date,
        max(occurred_at) as last_occurred_at
    from activities
    group by deal_id, activity_date
),

last_activities as (
    select
        open_days.deal_id,
        open_days.day,
        max(deal_activity_days.last_occurred_at) as last_activity_at
    from open_days
    inner join deal_activity_days
        on
            open_days.deal_id = deal_activity_days.deal_id
            and open_days.day >= deal_activity_days.activity_date
    group by open_days.deal_id, open_days.day
),

touched as (
    select
        open_days.*,
        last_activities.last_activity_at,
        {{ vitals.days_between(
            vitals.business_date(
                'greatest(open_days.stage_entered_at, coalesce(last_activities.last_activity_at, '
                ~ 'open_days.stage_entered_at))'
            ),
            'open_days.day',
        ) }} as days_since_touch
    from open_days
    left join last_activities
        on
            open_days.deal_id = last_activities.deal_id
            and open_days.day = last_activities.day
),

final as (
    select
        touched.day as metric_date,
        touched.deal_id,
        touched.org_id,
        touched.owner_id,
        touched.pipeline,
        touched.stage,
        {{ vitals.to_reporting_cents('touched.amount_cents', 'touched.currency', 'rates.rate') }} as amount_cents,
        {{ vitals.sales_stage_probability('touched.stage') }} as stage_probability,
        {{ vitals.to_reporting_cents('touched.amount_cents', 'touched.currency', 'rates.rate') }}
        * {{ vitals.sales_stage_probability('touched.stage') }} as weighted_amount_cents,
        {{ vitals.sales_forecast_category('touched.stage') }} as forecast_category,
        touched.expected_close_date,
        coalesce(
            {{ vitals.quarter_start('touched.expected_close_date') }} = {{ vitals.quarter_start('touched.day') }},
            false
        ) as is_closing_this_quarter,
        touched.stage_entered_at,
        touched.last_activity_at,
        touched.days_since_touch,
        touched.days_since_touch >= {{ vitals.sales_stalled_days() }} as is_stalled,
        paying_org_days.org_id is not null as is_expansion
    from touched
    left join rates
        on
            touched.currency = rates.currency
            and touched.day = rates.metric_date
    left join paying_org_days
        on
            touched.org_id = paying_org_days.org_id
            and touched.day = paying_org_days.metric_date
)

select * from final
