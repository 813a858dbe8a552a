{#-
    Recovery checks of retention campaigns (SPEC 6.9, seed 003): one row per org and business day a recovery is
    checked from.
      - Campaign checks: each day an org started a campaign (business date of started_at).
      - Control checks: on each such day, every other org at risk that day (health band At risk or Critical in
        mart_customer_success_org_health) that started no campaign within 30 days either side of it
        (macro campaign_recovery_days).
    An org has recovered when, 30 days after the check day, its health band is higher than on the check day (an
    org without a score, no provider active in 30 days, ranks below Critical) or its WAP is higher: distinct
    providers with a successful job (by created_at) in the 7 days ending on the day, as churn risk counts it. A
    check whose day + 30 is after the as-of date is pending: nothing after it is shown and is_recovered is null.
-#}
{%- set days = vitals.campaign_recovery_days() | int -%}

{{
    config(
        indexes=[
            {'columns': ['org_id', 'check_date'], 'unique': true},
        ],
    )
}}

with

campaign_starts as (
    select distinct
        org_id,
        {{ vitals.business_date('started_at') }} as start_date
    from {{ ref('stg_campaigns__retention_campaigns') }}
    where org_id is not null
),

org_health as (
    select
        org_id,
        metric_date,
        health_band
    from {{ ref('mart_customer_success_org_health') }}
),

successful_job_days as (
    select distinct
        org_id,
        provider_id,
        {{ vitals.business_date('created_at') }} as job_date
    from {{ ref('summarization_jobs') }}
    where
        status = 'success'
        and org_id is not null
        and provider_id is not null
),

check_days as (
    select distinct start_date as check_date
    from campaign_starts
),

campaign_checks as (
    select
        org_id,
        start_date as check_date,
        false as is_control
    from campaign_starts
),

control_checks as (
    select
        at_risk.org_id,
        check_days.check_date,
        true as is_control
    from check_days
    inner join org_health as at_risk
        on
            check_days.check_date = at_risk.metric_date
            and at_risk.health_band in ('At risk', 'Critical')
    left join campaign_starts as nearby
        on
            at_risk.org_id = nearby.org_id
            and nearby.start_date >= {{ vitals.add_days('check_days.check_date', -days) }}
            and nearby.start_date <= {{ vitals.add_days('check_days.check_date', days) }}
    where nearby.org_id is null
),

all_checks as (
    select * from campaign_checks
    union all
    select * from control_checks
),

checks as (
    select
        org_id,
        check_date,
        is_control,
        {{ vitals.add_days('check_date', days) }} as recheck_date
    from all_checks
),

wap_at_check as (
    select
        checks.org_id,
        checks.check_date,
        count(distinct jobs.provider_id) as wap
    from checks
    left join successful_job_days as jobs
        on
            checks.org_id = jobs.org_id
            and checks.check_date >= jobs.job_date
            and jobs.job_date >= {{ vitals.add_days('checks.check_date', -6) }}
    group by checks.org_id, checks.check_date
),

wap_at_recheck as (
    select
        checks.org_id,
        checks.check_date,
        count(distinct jobs.provider_id) as wap
    from checks
    left join successful_job_days as jobs
        on
            checks.org_id = jobs.org_id
            and checks.recheck_date >= jobs.job_date
            and jobs.job_date >= {{ vitals.add_days('checks.recheck_date', -6) }}
    group by checks.org_id, checks.check_date
),

measured as (
    select
        checks.org_id,
        checks.check_date,
        checks.is_control,
        checks.recheck_date,
        checks.recheck_date > {{ vitals.as_of_date() }} as is_pending,
        health_then.health_band as health_band_at_check,
        wap_then.wap as wap_at_check,
        health_after.health_band as health_band_after,
        wap_after.wap as wap_after
    from checks
    inner join wap_at_check as wap_then
        on
            checks.org_id = wap_then.org_id
            and checks.check_date = wap_then.check_date
    inner join wap_at_recheck as wap_after
        on
            checks.org_id = wap_after.org_id
            and checks.check_date = wap_after.check_date
    left join org_health as health_then
        on
            checks.org_id = health_then.org_id
            and checks.check_date = health_then.metric_date
    left join org_health as health_after
        on
            checks.org_id = health_after.org_id
            and checks.recheck_date = health_after.metric_date
),

final as (
    select
        org_id,
        check_date,
        is_control,
        recheck_date,
        is_pending,
        health_band_at_check,
        wap_at_check,
        case when not is_pending then health_band_after end as health_band_after,
        case when not is_pending then wap_after end as wap_after,
        case
            when is_pending then null
            when
                {{ vitals.campaign_band_rank('health_band_after') }}
                > {{ vitals.campaign_band_rank('health_band_at_check') }}
                then true
            else wap_after > wap_at_check
        end as is_recovered
    from measured
)

select * from final
