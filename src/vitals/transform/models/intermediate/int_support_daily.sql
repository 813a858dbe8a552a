{#-
    The support facts at (entity_type, entity_id, metric_date) grain, wide: global (every ticket, also those of
    no known org) and per org (the ticket's org as it stands), every business day from the entity's first ticket
    day to the as-of date. On the day: tickets opened (created_at), solved (solved_at), escalated (first
    escalated version) and the backlog at the day's end (int_support_open_spells). Over the trailing window
    (macro support_window_days: the day and the 29 before it): tickets opened, per 100 providers active in the
    window (int_product_daily.mau); first response and resolution time p50/p90 of the tickets first answered or
    solved in it; the first-response SLA breach rate of the tickets whose SLA was decided in it, overall and per
    priority; CSAT = ratings of 4 or 5 / ratings, of the tickets rated in it. Ratios and times are null without
    a ticket to measure. With no ticket loaded there is no row at all (the source is not connected).
-#}
{%- set window = vitals.support_window_days() | int -%}

with

tickets as (
    select
        ticket_id,
        org_id,
        sla_priority,
        {{ vitals.business_date('created_at') }} as created_date,
        {{ vitals.business_date('first_response_at') }} as first_response_date,
        first_response_seconds,
        {{ vitals.business_date('solved_at') }} as solved_date,
        resolution_seconds,
        {{ vitals.business_date('sla_decided_at') }} as sla_decided_date,
        is_sla_breached,
        {{ vitals.business_date('rated_at') }} as rated_date,
        csat_score,
        {{ vitals.business_date('escalated_at') }} as escalated_date
    from {{ ref('int_support_tickets') }}
),

ticket_events as (
    -- one row per dated step of a ticket: opened, first answered, solved, SLA decided, rated, escalated
    select
        org_id,
        'opened' as event_kind,
        created_date as event_date,
        cast(null as {{ vitals.type_double() }}) as event_seconds,
        cast(null as {{ dbt.type_string() }}) as sla_priority,
        0 as is_breached,
        0 as is_satisfied
    from tickets
    union all
    select
        org_id,
        'first_response' as event_kind,
        first_response_date as event_date,
        cast(first_response_seconds as {{ vitals.type_double() }}) as event_seconds,
        cast(null as {{ dbt.type_string() }}) as sla_priority,
        0 as is_breached,
        0 as is_satisfied
    from tickets
    where first_response_date is not null
    union all
    select
        org_id,
        'solved' as event_kind,
        solved_date as event_date,
        cast(resolution_seconds as {{ vitals.type_double() }}) as event_seconds,
        cast(null as {{ dbt.type_string() }}) as sla_priority,
        0 as is_breached,
        0 as is_satisfied
    from tickets
    where solved_date is not null
    union all
    select
        org_id,
        'sla' as event_kind,
        sla_decided_date as event_date,
        cast(null as {{ vitals.type_double() }}) as event_seconds,
        sla_priority,
        case when is_sla_breached then 1 else 0 end as is_breached,
        0 as is_satisfied
    from tickets
    where sla_decided_date is not null
    union all
    select
        org_id,
        'rated' as event_kind,
        rated_date as event_date,
        cast(null as {{ vitals.type_double() }}) as event_seconds,
        cast(null as {{ dbt.type_string() }}) as sla_priority,
        0 as is_breached,
        case when csat_score >= 4 then 1 else 0 end as is_satisfied
    from tickets
    where rated_date is not null
    union all
    select
        org_id,
        'escalated' as event_kind,
        escalated_date as event_date,
        cast(null as {{ vitals.type_double() }}) as event_seconds,
        cast(null as {{ dbt.type_string() }}) as sla_priority,
        0 as is_breached,
        0 as is_satisfied
    from tickets
    where escalated_date is not null
),

scoped_events as (
    {{ vitals.marts_scoped('ticket_events', [
        'event_kind', 'event_date', 'event_seconds', 'sla_priority', 'is_breached', 'is_satisfied',
    ]) }}
),

support_starts as (
    select
        entity_type,
        entity_id,
        min(event_date) as start_day
    from scoped_events
    group by entity_type, entity_id
),

support_entity_days as (
    {{ vitals.date_spine_select(
        'start_day', vitals.as_of_date(), 'support_starts', carry=['entity_type', 'entity_id']
    ) }}
),

support_windows as (
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.day as metric_date,
        {{ vitals.count_if("events.event_kind = 'opened' and events.event_date = entity_days.day") }}
            as support_tickets_opened,
        {{ vitals.count_if("events.event_kind = 'solved' and events.event_date = entity_days.day") }}
            as support_tickets_solved,
        {{ vitals.count_if("events.event_kind = 'escalated' and events.event_date = entity_days.day") }}
            as support_escalations,
        {{ vitals.count_if("events.event_kind = 'opened'") }} as support_tickets_opened_30d,
        {{ vitals.count_if("events.event_kind = 'first_response'") }} as support_first_responses_30d,
        cast(
            {{ vitals.percentile("case when events.event_kind = 'first_response' then events.event_seconds end", 0.5) }}
            as {{ vitals.type_double() }}
        ) as support_first_response_seconds_p50,
        cast(
            {{ vitals.percentile("case when events.event_kind = 'first_response' then events.event_seconds end", 0.9) }}
            as {{ vitals.type_double() }}
        ) as support_first_response_seconds_p90,
        {{ vitals.count_if("events.event_kind = 'solved'") }} as support_resolutions_30d,
        cast(
            {{ vitals.percentile("case when events.event_kind = 'solved' then events.event_seconds end", 0.5) }}
            as {{ vitals.type_double() }}
        ) as support_resolution_seconds_p50,
        cast(
            {{ vitals.percentile("case when events.event_kind = 'solved' then events.event_seconds end", 0.9) }}
            as {{ vitals.type_double() }}
        ) as support_resolution_seconds_p90,
        {{ vitals.count_if("events.event_kind = 'sla'") }} as support_sla_tickets_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.is_breached = 1") }} as support_sla_breaches_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'low'") }}
            as support_sla_tickets_low_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'low' and events.is_breached = 1") }}
            as support_sla_breaches_low_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'normal'") }}
            as support_sla_tickets_normal_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'normal' and events.is_breached = 1") }}
            as support_sla_breaches_normal_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'high'") }}
            as support_sla_tickets_high_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'high' and events.is_breached = 1") }}
            as support_sla_breaches_high_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'urgent'") }}
            as support_sla_tickets_urgent_30d,
        {{ vitals.count_if("events.event_kind = 'sla' and events.sla_priority = 'urgent' and events.is_breached = 1") }}
            as support_sla_breaches_urgent_30d,
        {{ vitals.count_if("events.event_kind = 'rated'") }} as support_csat_ratings_30d,
        {{ vitals.count_if("events.event_kind = 'rated' and events.is_satisfied = 1") }} as support_csat_satisfied_30d
    from support_entity_days as entity_days
    left join scoped_events as events
        on
            entity_days.entity_type = events.entity_type
            and entity_days.entity_id = events.entity_id
            and entity_days.day >= events.event_date
            and events.event_date >= {{ vitals.add_days('entity_days.day', 1 - window) }}
    where entity_days.day is not null
    group by entity_days.entity_type, entity_days.entity_id, entity_days.day
),

span_changes as (
    -- +1 on the first day a ticket is open at the day's end, -1 on the first day it no longer is
    select
        org_id,
        open_from as change_date,
        1 as backlog_change
    from {{ ref('int_support_open_spells') }}
    union all
    select
        org_id,
        open_until as change_date,
        -1 as backlog_change
    from {{ ref('int_support_open_spells') }}
    where open_until is not null
),

scoped_span_changes as (
    {{ vitals.marts_scoped('span_changes', ['change_date', 'backlog_change']) }}
),

backlog_changes as (
    select
        entity_type,
        entity_id,
        change_date,
        sum(backlog_change) as backlog_change
    from scoped_span_changes
    group by entity_type, entity_id, change_date
),

support_backlog as (
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.day as metric_date,
        sum(coalesce(changes.backlog_change, 0)) over (
            partition by entity_days.entity_type, entity_days.entity_id
            order by entity_days.day
            rows between unbounded preceding and current row
        ) as support_backlog
    from support_entity_days as entity_days
    left join backlog_changes as changes
        on
            entity_days.entity_type = changes.entity_type
            and entity_days.entity_id = changes.entity_id
            and entity_days.day = changes.change_date
    where entity_days.day is not null
),

active_providers as (
    select
        entity_type,
        entity_id,
        metric_date,
        mau as support_active_providers_30d
    from {{ ref('int_product_daily') }}
),

support_wide as (
    select
        windows.entity_type,
        windows.entity_id,
        windows.metric_date,
        windows.support_tickets_opened,
        windows.support_tickets_solved,
        cast(backlog.support_backlog as {{ dbt.type_bigint() }}) as support_backlog,
        windows.support_escalations,
        windows.support_tickets_opened_30d,
        active.support_active_providers_30d,
        100 * {{ vitals.safe_divide(
            'windows.support_tickets_opened_30d', 'active.support_active_providers_30d'
        ) }} as support_tickets_per_100_active_providers,
        windows.support_first_responses_30d,
        windows.support_first_response_seconds_p50,
        windows.support_first_response_seconds_p90,
        windows.support_resolutions_30d,
        windows.support_resolution_seconds_p50,
        windows.support_resolution_seconds_p90,
        windows.support_sla_tickets_30d,
        windows.support_sla_breaches_30d,
        {{ vitals.safe_divide('windows.support_sla_breaches_30d', 'windows.support_sla_tickets_30d') }}
            as support_sla_breach_rate,
        windows.support_sla_tickets_low_30d,
        {{ vitals.safe_divide('windows.support_sla_breaches_low_30d', 'windows.support_sla_tickets_low_30d') }}
            as support_sla_breach_rate_low,
        windows.support_sla_tickets_normal_30d,
        {{ vitals.safe_divide('windows.support_sla_breaches_normal_30d', 'windows.support_sla_tickets_normal_30d') }}
            as support_sla_breach_rate_normal,
        windows.support_sla_tickets_high_30d,
        {{ vitals.safe_divide('windows.support_sla_breaches_high_30d', 'windows.support_sla_tickets_high_30d') }}
            as support_sla_breach_rate_high,
        windows.support_sla_tickets_urgent_30d,
        {{ vitals.safe_divide('windows.support_sla_breaches_urgent_30d', 'windows.support_sla_tickets_urgent_30d') }}
            as support_sla_breach_rate_urgent,
        windows.support_csat_ratings_30d,
        windows.support_csat_satisfied_30d,
        {{ vitals.safe_divide('windows.support_csat_satisfied_30d', 'windows.support_csat_ratings_30d') }}
            as support_csat
    from support_windows as windows
    inner join support_backlog as backlog
        on
            windows.entity_type = backlog.entity_type
            and windows.entity_id = backlog.entity_id
            and windows.metric_date = backlog.metric_date
    left join active_providers as active
        on
            windows.entity_type = active.entity_type
            and windows.entity_id = active.entity_id
            and windows.metric_date = active.metric_date
)

select * from support_wide
