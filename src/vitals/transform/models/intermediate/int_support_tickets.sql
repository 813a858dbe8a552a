{#-
    One row per support ticket as it stands at the build's as-of time (its current version), with what its
    version history tells:
      - solved_at: a solved ticket's resolution time, or without one the first version of its last solved run
        (a reopened ticket is unsolved again; solving it anew dates it anew);
      - escalated_at: its first version marked escalated; rated_at: its first version carrying a rating (the
        rating is the current version's);
      - the first-response SLA: due when the ticket has waited its priority's target (var support; normal
        without a priority) since created_at. The clock stops at the first response, or at the solve of a ticket
        solved without one. It is met when it stops by the due time (decided then), breached once the due time
        passes without it (decided at the due time); undecided (null) before either.
    Response and resolution times are from created_at; null when they would be negative.
    The time basis (var support.time_basis): clock counts every second; business counts only the seconds inside
    the working windows (macros support_elapsed_seconds_select, support_due_at_select), in response and
    resolution times and in the due time, except the due time of urgent tickets, which stays on clock time
    (macro support_clock_sla_priorities).
-#}

with

ticket_versions as (
    select
        *,
        {{ vitals.support_is_solved('status', 'resolved_at') }} as is_solved
    from {{ ref('stg_support__ticket_versions') }}
),

history as (
    select
        ticket_id,
        count(*) as version_count,
        max(case when not is_solved then updated_at end) as last_unsolved_at,
        min(case when is_escalated then updated_at end) as escalated_at,
        min(case when csat_score is not null then updated_at end) as first_rated_at
    from ticket_versions
    group by ticket_id
),

last_solved_runs as (
    -- the first version of the solved run that ends the history (after its last unsolved version)
    select
        ticket_versions.ticket_id,
        min(ticket_versions.updated_at) as solved_run_started_at
    from ticket_versions
    inner join history
        on ticket_versions.ticket_id = history.ticket_id
    where
        ticket_versions.is_solved
        and (history.last_unsolved_at is null or ticket_versions.updated_at > history.last_unsolved_at)
    group by ticket_versions.ticket_id
),

current_tickets as (
    select
        current_versions.ticket_id,
        current_versions.org_id,
        current_versions.provider_id,
        current_versions.status,
        current_versions.priority,
        current_versions.channel,
        current_versions.category,
        current_versions.created_at,
        current_versions.first_response_at,
        current_versions.is_solved,
        case
            when current_versions.is_solved
                then coalesce(current_versions.resolved_at, last_solved_runs.solved_run_started_at)
        end as solved_at,
        current_versions.csat_score,
        case when current_versions.csat_score is not null then history.first_rated_at end as rated_at,
        history.escalated_at,
        history.version_count,
        current_versions.updated_at
    from ticket_versions as current_versions
    inner join history
        on current_versions.ticket_id = history.ticket_id
    left join last_solved_runs
        on current_versions.ticket_id = last_solved_runs.ticket_id
    where current_versions.is_current_version
),

timed as (
    select
        *,
        {{ vitals.support_sla_priority('priority') }} as sla_priority,
        {{ vitals.support_first_response_target_minutes('priority') }} as first_response_target_minutes,
        coalesce(first_response_at, solved_at) as sla_stopped_at
    from current_tickets
),

measured_spans as (
    -- the spans whose length is the ticket's times: creation to first response, creation to solve
    select
        ticket_id,
        'first_response' as span_kind,
        created_at as span_start,
        first_response_at as span_end
    from timed
    where first_response_at >= created_at
    union all
    select
        ticket_id,
        'resolution' as span_kind,
        created_at as span_start,
        solved_at as span_end
    from timed
    where solved_at >= created_at
),

elapsed as (
    -- their seconds on the time basis (clock, or business hours only)
    {{ vitals.support_elapsed_seconds_select('measured_spans', carry=['ticket_id', 'span_kind']) }}
),

due_times as (
    -- when each first response is due on the time basis (urgent tickets: clock time)
    {{ vitals.support_due_at_select('timed') }}
),

timed_sla as (
    select
        timed.*,
        first_responses.elapsed_seconds as first_response_seconds,
        resolutions.elapsed_seconds as resolution_seconds,
        due_times.due_at as first_response_due_at
    from timed
    left join due_times
        on timed.ticket_id = due_times.ticket_id
    left join elapsed as first_responses
        on
            timed.ticket_id = first_responses.ticket_id
            and first_responses.span_kind = 'first_response'
    left join elapsed as resolutions
        on
            timed.ticket_id = resolutions.ticket_id
            and resolutions.span_kind = 'resolution'
),

final as (
    select
        ticket_id,
        org_id,
        provider_id,
        status,
        priority,
        sla_priority,
        channel,
        category,
        created_at,
        first_response_at,
        first_response_seconds,
        is_solved,
        solved_at,
        resolution_seconds,
        first_response_target_minutes,
        first_response_due_at,
        case
            when sla_stopped_at <= first_response_due_at then sla_stopped_at
            when first_response_due_at <= {{ vitals.as_of() }} then first_response_due_at
        end as sla_decided_at,
        case
            when sla_stopped_at <= first_response_due_at then false
            when first_response_due_at <= {{ vitals.as_of() }} then true
        end as is_sla_breached,
        csat_score,
        rated_at,
        escalated_at is not null as is_escalated,
        escalated_at,
        version_count,
        updated_at
    from timed_sla
)

select * from final
