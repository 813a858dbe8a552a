{#-
    Retention campaigns per kind (SPEC 6.9, seed 003), over every campaign started up to the as-of time: how many
    were started, sent, opened, clicked and answered, and the sent (of started), open, click and response (of
    sent) rates; the recovery rate of the campaigns checked (not pending, of a known org) against the control
    group: the at-risk orgs without a campaign of their own checked on the days a campaign of the kind started
    (mart_customer_success_recovery_checks), and the lift between the two. The outcomes the sending tool reports
    are counted beside. A campaign without a known kind counts under 'unspecified'.
-#}

with

campaigns as (
    select
        *,
        coalesce(kind, 'unspecified') as campaign_kind
    from {{ ref('mart_customer_success_campaigns') }}
),

control_checks as (
    select * from {{ ref('mart_customer_success_recovery_checks') }}
    where is_control and not is_pending
),

kind_days as (
    select distinct
        campaign_kind,
        start_date
    from campaigns
),

kind_controls as (
    select
        kind_days.campaign_kind,
        count(*) as control_checks,
        {{ vitals.count_if('control_checks.is_recovered') }} as control_recovered
    from kind_days
    inner join control_checks
        on kind_days.start_date = control_checks.check_date
    group by kind_days.campaign_kind
),

kind_counts as (
    select
        campaign_kind,
        count(*) as campaigns_started,
        {{ vitals.count_if('is_sent') }} as campaigns_sent,
        {{ vitals.count_if('is_opened') }} as campaigns_opened,
        {{ vitals.count_if('is_clicked') }} as campaigns_clicked,
        {{ vitals.count_if('is_responded') }} as campaigns_responded,
        {{ vitals.count_if('is_pending') }} as campaigns_pending,
        {{ vitals.count_if('is_recovered is not null') }} as campaigns_checked,
        {{ vitals.count_if('is_recovered') }} as campaigns_recovered,
        {{ vitals.count_if("outcome = 'recovered'") }} as campaigns_reported_recovered,
        {{ vitals.count_if("outcome = 'churned'") }} as campaigns_reported_churned,
        {{ vitals.count_if("outcome = 'no_response'") }} as campaigns_reported_no_response
    from campaigns
    group by campaign_kind
),

final as (
    select
        kind_counts.campaign_kind as kind,
        kind_counts.campaigns_started,
        kind_counts.campaigns_sent,
        kind_counts.campaigns_opened,
        kind_counts.campaigns_clicked,
        kind_counts.campaigns_responded,
        {{ vitals.safe_divide('kind_counts.campaigns_sent', 'kind_counts.campaigns_started') }} as campaign_sent_rate,
        {{ vitals.safe_divide('kind_counts.campaigns_opened', 'kind_counts.campaigns_sent') }} as campaign_open_rate,
        {{ vitals.safe_divide('kind_counts.campaigns_clicked', 'kind_counts.campaigns_sent') }} as campaign_click_rate,
        {{ vitals.safe_divide('kind_counts.campaigns_responded', 'kind_counts.campaigns_sent') }}
            as campaign_response_rate,
        kind_counts.campaigns_pending,
        kind_counts.campaigns_checked,
        kind_counts.campaigns_recovered,
        {{ vitals.safe_divide('kind_counts.campaigns_recovered', 'kind_counts.campaigns_checked') }}
            as campaign_recovery_rate,
        coalesce(kind_controls.control_checks, 0) as campaign_control_checks,
        coalesce(kind_controls.control_recovered, 0) as campaign_control_recovered,
        {{ vitals.safe_divide('kind_controls.control_recovered', 'kind_controls.control_checks') }}
            as campaign_control_recovery_rate,
        {{ vitals.safe_divide('kind_counts.campaigns_recovered', 'kind_counts.campaigns_checked') }}
        - {{ vitals.safe_divide('kind_controls.control_recovered', 'kind_controls.control_checks') }}
            as campaign_recovery_lift,
        kind_counts.campaigns_reported_recovered,
        kind_counts.campaigns_reported_churned,
        kind_counts.campaigns_reported_no_response
    from kind_counts
    left join kind_controls
        on kind_counts.campaign_kind = kind_controls.campaign_kind
)

select * from final
