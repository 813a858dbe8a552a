{#-
    One row per retention campaign as it stands at the as-of time (SPEC 6.9, seed 003): its org, kind, channel,
    each step (started, sent, opened, clicked, responded), the outcome its sending tool reports, and whether the
    org recovered 30 days after the start by the rule of mart_customer_success_recovery_checks (health band or
    WAP back up). A campaign counts as sent once sent, opened, clicked or answered. Started fewer than 30 days
    before the as-of date: pending (is_recovered null); a campaign of no known org is never checked.
-#}
{%- set days = vitals.campaign_recovery_days() | int -%}

{{
    config(
        indexes=[
            {'columns': ['campaign_id'], 'unique': true},
            {'columns': ['org_id']},
        ],
    )
}}

with

campaigns as (
    select
        *,
        {{ vitals.business_date('started_at') }} as start_date
    from {{ ref('stg_campaigns__retention_campaigns') }}
),

organizations as (
    select
        org_id,
        org_name
    from {{ ref('organizations') }}
),

campaign_checks as (
    select * from {{ ref('mart_customer_success_recovery_checks') }}
    where not is_control
),

final as (
    select
        campaigns.campaign_id,
        campaigns.org_id,
        organizations.org_name,
        campaigns.kind,
        campaigns.channel,
        campaigns.started_at,
        campaigns.start_date,
        campaigns.sent_at,
        campaigns.opened_at,
        campaigns.clicked_at,
        campaigns.responded_at,
        campaigns.outcome,
        (
            campaigns.sent_at is not null
            or campaigns.opened_at is not null
            or campaigns.clicked_at is not null
            or campaigns.responded_at is not null
        ) as is_sent,
        campaigns.opened_at is not null as is_opened,
        campaigns.clicked_at is not null as is_clicked,
        campaigns.responded_at is not null as is_responded,
        {{ vitals.add_days('campaigns.start_date', days) }} as recovery_check_date,
        {{ vitals.add_days('campaigns.start_date', days) }} > {{ vitals.as_of_date() }} as is_pending,
        checks.health_band_at_check as health_band_at_start,
        checks.wap_at_check as wap_at_start,
        checks.health_band_after as health_band_after_30d,
        checks.wap_after as wap_after_30d,
        checks.is_recovered
    from campaigns
    left join organizations
        on campaigns.org_id = organizations.org_id
    left join campaign_checks as checks
        on
            campaigns.org_id = checks.org_id
            and campaigns.start_date = checks.check_date
)

select * from final
