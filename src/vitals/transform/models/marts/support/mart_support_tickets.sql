{#-
    One row per support ticket as it stands at the as-of time, for BI tools and drill-downs: its org, priority,
    status, business dates, first response and resolution times, first-response SLA and rating
    (int_support_tickets). Empty until support tickets are loaded.
-#}

{{
    config(
        indexes=[
            {'columns': ['ticket_id'], 'unique': true},
            {'columns': ['org_id']},
        ],
    )
}}

with

tickets as (
    select * from {{ ref('int_support_tickets') }}
),

organizations as (
    select
        org_id,
        org_name
    from {{ ref('organizations') }}
),

final as (
    select
        tickets.ticket_id,
        tickets.org_id,
        organizations.org_name,
        tickets.provider_id,
        tickets.status,
        tickets.priority,
        tickets.sla_priority,
        tickets.channel,
        tickets.category,
        tickets.created_at,
        {{ vitals.business_date('tickets.created_at') }} as created_date,
        tickets.first_response_at,
        tickets.first_response_seconds,
        tickets.is_solved,
        tickets.solved_at,
        tickets.resolution_seconds,
        tickets.first_response_target_minutes,
        tickets.first_response_due_at,
        tickets.is_sla_breached,
        tickets.csat_score,
        tickets.is_escalated,
        tickets.version_count
    from tickets
    left join organizations
        on tickets.org_id = organizations.org_id
)

select * from final
