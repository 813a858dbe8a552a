{#-
    Seed 000 "current month vs previous month": per org, the distinct providers with a successful
    job completed in the current business-time-zone month (month to date of the as-of time) and in
    the month before. Orgs active in neither month have no row.
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

bounds as (
    select
        {{ vitals.month_start(vitals.as_of_date()) }} as month_start,
        {{ vitals.month_start(vitals.add_days(vitals.month_start(vitals.as_of_date()), -1)) }} as prev_month_start
),

successful_jobs as (
    select
        org_id,
        provider_id,
        {{ vitals.month_start(vitals.business_date('completed_at')) }} as month_start
    from jobs
    where
        status = 'success'
        and provider_id is not null
        and completed_at is not null
),

monthly as (
    select
        org_id,
        month_start,
        count(distinct provider_id) as active_providers
    from successful_jobs
    group by
        org_id,
        month_start
),

compared as (
    select
        organizations.org_id,
        organizations.org_name,
        bounds.month_start,
        bounds.prev_month_start,
        coalesce(this_month.active_providers, 0) as curr_month_active_providers,
        coalesce(previous_month.active_providers, 0) as prev_month_active_providers
    from organizations
    cross join bounds
    left join monthly as this_month
        on
            organizations.org_id = this_month.org_id
            and bounds.month_start = this_month.month_start
    left join monthly as previous_month
        on
            organizations.org_id = previous_month.org_id
            and bounds.prev_month_start = previous_month.month_start
    where this_month.org_id is not null or previous_month.org_id is not null
),

final as (
    select
        org_id,
        org_name,
        month_start,
        prev_month_start,
        curr_month_active_providers,
        prev_month_active_providers,
        curr_month_active_providers - prev_month_active_providers as month_active_providers_change,
        {{ vitals.safe_divide(
            'curr_month_active_providers - prev_month_active_providers',
            'prev_month_active_providers'
        ) }} as month_active_providers_change_rate
    from compared
)

select * from final
