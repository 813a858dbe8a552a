{#-
    Power users at the as-of date (SPEC §6.3): one row per provider with its successful-job days of
    the trailing 7 days and successful jobs of the trailing 28 days. A power user has a successful
    job on at least 4 of the 7 business days ending on the as-of date.
-#}

with

providers as (
    select * from {{ ref('providers') }}
),

jobs as (
    select
        provider_id,
        {{ vitals.business_date('completed_at') }} as success_date
    from {{ ref('summarization_jobs') }}
    where status = 'success' and provider_id is not null
),

as_of_day as (
    select {{ vitals.as_of_date() }} as as_of_date
),

provider_stats as (
    select
        jobs.provider_id,
        count(
            distinct case
                when jobs.success_date >= {{ vitals.add_days('as_of_day.as_of_date', -6) }} then jobs.success_date
            end
        ) as success_days_7d,
        {{ vitals.count_if('jobs.success_date >= ' ~ vitals.add_days('as_of_day.as_of_date', -27)) }}
            as successful_jobs_28d
    from jobs
    cross join as_of_day
    group by jobs.provider_id
),

final as (
    select
        as_of_day.as_of_date,
        providers.provider_id,
        providers.org_id,
        providers.role,
        coalesce(provider_stats.success_days_7d, 0) as success_days_7d,
        coalesce(provider_stats.successful_jobs_28d, 0) as successful_jobs_28d,
        coalesce(provider_stats.success_days_7d, 0) >= {{ vitals.marts_power_user_min_days() }} as is_power_user
    from providers
    cross join as_of_day
    left join provider_stats
        on providers.provider_id = provider_stats.provider_id
)

select * from final
