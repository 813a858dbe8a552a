{#-
    Seed 000 "time to first value": per org with both, the elapsed days from its signup (first
    org_created / org_signup event) to its first completed successful job. Negative when the first
    job completed before the signup event.
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

first_values as (
    select
        org_id,
        min(completed_at) as first_transcription_at
    from jobs
    where status = 'success' and completed_at is not null
    group by org_id
),

final as (
    select
        organizations.org_id,
        organizations.org_name,
        signups.signup_at,
        first_values.first_transcription_at,
        {{ vitals.days_elapsed('signups.signup_at', 'first_values.first_transcription_at') }} as days_to_first_value
    from organizations
    inner join signups
        on organizations.org_id = signups.org_id
    inner join first_values
        on organizations.org_id = first_values.org_id
)

select * from final
