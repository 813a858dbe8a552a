{#-
    Seed 000 "weekly active providers per org": per org and business-time-zone week (Monday) of
    completed_at, the distinct providers with at least one successful job. Weeks without an active
    provider have no row (as in the seed).
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

successful_jobs as (
    select
        org_id,
        provider_id,
        {{ vitals.week_start(vitals.business_date('completed_at')) }} as week_start
    from jobs
    where
        status = 'success'
        and provider_id is not null
        and completed_at is not null
),

weekly as (
    select
        org_id,
        week_start,
        count(distinct provider_id) as weekly_active_providers
    from successful_jobs
    group by
        org_id,
        week_start
),

final as (
    select
        weekly.org_id,
        organizations.org_name,
        weekly.week_start,
        weekly.weekly_active_providers
    from weekly
    inner join organizations
        on weekly.org_id = organizations.org_id
)

select * from final
