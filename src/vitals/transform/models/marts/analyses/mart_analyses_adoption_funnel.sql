{#-
    Seed 000 "product adoption funnel" per org (every org): its providers (signups), those with a
    successful 'note' job (first transcription), and those with at least 3 successful 'note' jobs
    in each of two consecutive business-time-zone weeks of created_at (regular usage).
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

providers as (
    select * from {{ ref('providers') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

note_successes as (
    select
        provider_id,
        {{ vitals.week_start(vitals.business_date('created_at')) }} as week_start
    from jobs
    where status = 'success' and feature = 'note' and provider_id is not null
),

first_transcription as (
    select distinct provider_id
    from note_successes
),

weekly_ok as (
    select
        provider_id,
        week_start,
        count(*) as ok_jobs
    from note_successes
    group by
        provider_id,
        week_start
),

regular_usage as (
    select distinct this_week.provider_id
    from weekly_ok as this_week
    inner join weekly_ok as next_week
        on
            this_week.provider_id = next_week.provider_id
            and {{ vitals.add_days('this_week.week_start', 7) }} = next_week.week_start
    where this_week.ok_jobs >= 3 and next_week.ok_jobs >= 3
),

funnel as (
    select
        organizations.org_id,
        organizations.org_name,
        count(providers.provider_id) as provider_signups,
        count(first_transcription.provider_id) as providers_first_transcription,
        count(regular_usage.provider_id) as providers_regular_usage
    from organizations
    left join providers
        on organizations.org_id = providers.org_id
    left join first_transcription
        on providers.provider_id = first_transcription.provider_id
    left join regular_usage
        on providers.provider_id = regular_usage.provider_id
    group by
        organizations.org_id,
        organizations.org_name
),

final as (
    select
        org_id,
        org_name,
        provider_signups,
        providers_first_transcription,
        providers_regular_usage,
        {{ vitals.safe_divide('providers_first_transcription', 'provider_signups') }}
            as signup_to_first_transcription_rate,
        {{ vitals.safe_divide('providers_regular_usage', 'providers_first_transcription') }}
            as first_transcription_to_regular_rate
    from funnel
)

select * from final
