{#-
    Support per org and business day, wide, for BI tools (int_support_daily's org rows): tickets opened, solved
    and escalated, the backlog at the day's end, and over the trailing 30 days ticket volume per 100 active
    providers, first response and resolution times, the SLA breach rate (overall and per priority) and CSAT.
    From the org's first ticket day to the as-of date. Empty until support tickets are loaded.
-#}

{{
    config(
        indexes=[
            {'columns': ['org_id', 'metric_date'], 'unique': true},
        ],
    )
}}

with

support_wide as (
    select * from {{ ref('int_support_daily') }}
),

final as (
    select
        metric_date,
        entity_id as org_id,
        support_tickets_opened,
        support_tickets_solved,
        support_backlog,
        support_escalations,
        support_tickets_opened_30d,
        support_active_providers_30d,
        support_tickets_per_100_active_providers,
        support_first_responses_30d,
        support_first_response_seconds_p50,
        support_first_response_seconds_p90,
        support_resolutions_30d,
        support_resolution_seconds_p50,
        support_resolution_seconds_p90,
        support_sla_tickets_30d,
        support_sla_breaches_30d,
        support_sla_breach_rate,
        support_sla_tickets_low_30d,
        support_sla_breach_rate_low,
        support_sla_tickets_normal_30d,
        support_sla_breach_rate_normal,
        support_sla_tickets_high_30d,
        support_sla_breach_rate_high,
        support_sla_tickets_urgent_30d,
        support_sla_breach_rate_urgent,
        support_csat_ratings_30d,
        support_csat_satisfied_30d,
        support_csat
    from support_wide
    where entity_type = 'org'
)

select * from final
