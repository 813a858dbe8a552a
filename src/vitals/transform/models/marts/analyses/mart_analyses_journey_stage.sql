{#-
    Seed 000 "journey: signup -> first transcription -> regular usage" per org (every org).
    signup_at: the org's first org_created (or org_signup) event; first_transcription_at: its first
    completed successful job; regular_usage_start: Monday of the first business-time-zone week that
    starts a run of 2 consecutive weeks each with >= 2 weekly active providers and >= 60% of the
    week's completed jobs Locked. Days are elapsed time; days_to_regular_usage runs from the first
    transcription (else the signup) to that Monday's midnight in the business time zone, and is 0
    when the run starts in the week of the first transcription (the seed's subtraction of a Monday
    from a later time of the same week would be negative).
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

signups as (
    select * from {{ ref('int_org_signups') }}
),

completed_jobs as (
    select
        org_id,
        provider_id,
        patient_status,
        completed_at,
        {{ vitals.week_start(vitals.business_date('completed_at')) }} as week_start
    from jobs
    where status = 'success' and completed_at is not null
),

first_transcriptions as (
    select
        org_id,
        min(completed_at) as first_transcription_at
    from completed_jobs
    group by org_id
),

weekly as (
    select
        org_id,
        week_start,
        count(distinct provider_id) as wap,
        cast({{ vitals.count_if("patient_status = 'Locked'") }} as {{ dbt.type_bigint() }}) as locked_jobs,
        count(*) as completed_jobs
    from completed_jobs
    group by
        org_id,
        week_start
),

qualifying_weeks as (
    -- WAP >= 2 and Locked share >= 60% (5 * locked >= 3 * jobs, exact)
    select
        org_id,
        week_start
    from weekly
    where wap >= 2 and 5 * locked_jobs >= 3 * completed_jobs
),

streaks as (
    select
        first_week.org_id,
        min(first_week.week_start) as regular_usage_start
    from qualifying_weeks as first_week
    inner join qualifying_weeks as second_week
        on
            first_week.org_id = second_week.org_id
            and {{ vitals.add_days('first_week.week_start', 7) }} = second_week.week_start
    group by first_week.org_id
),

journey as (
    select
        organizations.org_id,
        organizations.org_name,
        signups.signup_at,
        first_transcriptions.first_transcription_at,
        streaks.regular_usage_start
    from organizations
    left join signups
        on organizations.org_id = signups.org_id
    left join first_transcriptions
        on organizations.org_id = first_transcriptions.org_id
    left join streaks
        on organizations.org_id = streaks.org_id
),

durations as (
    select
        *,
        {{ vitals.days_elapsed('signup_at', 'first_transcription_at') }} as days_to_first_transcription,
        {{ vitals.days_elapsed(
            'coalesce(first_transcription_at, signup_at)',
            vitals.from_business_time('cast(regular_usage_start as ' ~ dbt.type_timestamp() ~ ')')
        ) }} as days_to_regular_usage_start
    from journey
),

final as (
    select
        org_id,
        org_name,
        signup_at,
        first_transcription_at,
        regular_usage_start,
        days_to_first_transcription,
        case
            when days_to_regular_usage_start < 0 then cast(0 as {{ vitals.type_double() }})
            else days_to_regular_usage_start
        end as days_to_regular_usage,
        case
            when regular_usage_start is not null then 'regular_usage'
            when first_transcription_at is not null then 'first_transcription'
            when signup_at is not null then 'signup'
            else 'unknown'
        end as current_stage
    from durations
)

select * from final
