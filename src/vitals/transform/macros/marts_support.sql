{#
    Support tickets (SPEC 6.9, seed 002), from the optional source support_tickets. The first-response targets
    are owned by vitals.config.SupportSettings, which validates them (every priority, each > 0) and always passes
    them as the var `support` (dbt_project.yml mirrors its defaults for a plain dbt run); they are used here as
    given. Computed once, in int_support_tickets (one row per ticket), int_support_open_spells (when a ticket
    was in the backlog) and int_support_daily (global and org days); the marts and the long form select from
    them.
#}

{#- Days of the trailing support window (the day and the 29 before it): response and resolution times, SLA,
    CSAT and ticket volume. -#}
{% macro support_window_days() -%}
    30
{%- endmacro %}

{#- The ticket priorities, in the order of their targets (longest first). -#}
{% macro support_priorities() -%}
    {{ return(['low', 'normal', 'high', 'urgent']) }}
{%- endmacro %}

{#- The priority a ticket's SLA follows: its own, or normal when it has none. -#}
{% macro support_sla_priority(priority) -%}
    coalesce({{ priority }}, 'normal')
{%- endmacro %}

{#- Minutes a ticket of `priority` may wait for its first response (var support.first_response_targets_minutes). -#}
{% macro support_first_response_target_minutes(priority) -%}
    {%- set targets = var('support')['first_response_targets_minutes'] -%}
    case {{ vitals.support_sla_priority(priority) }}
        {%- for name in vitals.support_priorities() %}
        when '{{ name }}' then {{ targets[name] | int }}
        {%- endfor %}
    end
{%- endmacro %}

{#- When a ticket's first response is due on clock time: created_at plus its priority's target. -#}
{% macro support_first_response_due_at(created_at, priority) -%}
    {%- set targets = var('support')['first_response_targets_minutes'] -%}
    case {{ vitals.support_sla_priority(priority) }}
        {%- for name in vitals.support_priorities() %}
        when '{{ name }}' then {{ vitals.add_minutes(created_at, targets[name] | int) }}
        {%- endfor %}
    end
{%- endmacro %}

{#-
    True when a ticket version is solved: status solved or closed, or, without a status, a resolution time.
    A version with status new, open or pending is in the backlog.
-#}
{% macro support_is_solved(status, resolved_at) -%}
    (
        {{ status }} in ('solved', 'closed')
        or ({{ status }} is null and {{ resolved_at }} is not null)
    )
{%- endmacro %}

{#- The daily support metrics of metrics_daily__support (columns of int_support_daily). -#}
{% macro support_daily_metrics() -%}
    {%- set metrics = [
        'support_tickets_opened', 'support_tickets_solved', 'support_backlog', 'support_escalations',
        'support_tickets_opened_30d', 'support_tickets_per_100_active_providers',
        'support_first_response_seconds_p50', 'support_first_response_seconds_p90',
        'support_resolution_seconds_p50', 'support_resolution_seconds_p90',
        'support_sla_breach_rate', 'support_csat', 'support_csat_ratings_30d',
    ] -%}
    {%- for priority in vitals.support_priorities() -%}
        {%- do metrics.append('support_sla_breach_rate_' ~ priority) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#-
    The time basis of the ticket times (var support.time_basis). clock: every second counts. business: only the
    seconds inside the working windows, [start_hour, end_hour) local time on each working day (ISO day of week in
    support.business_hours.days), in the business time zone (var business_tz). A window's bounds are local
    wall-clock times turned into UTC instants day by day, so the days around a DST change open and close at the
    local hours and a window's length is the real elapsed time. The windows are defined once
    (support_business_windows); support_elapsed_seconds_select (response and resolution times) and
    support_due_at_select (the first-response due time) are their only users.
-#}

{#- True when the support times run on business hours (var support.time_basis = business). -#}
{% macro support_uses_business_hours() -%}
    {{ return(var('support').get('time_basis', 'clock') == 'business') }}
{%- endmacro %}

{#- SLA priorities whose first-response due time stays on clock time on business hours (answered around the clock). -#}
{% macro support_clock_sla_priorities() -%}
    {{ return(['urgent']) }}
{%- endmacro %}

{#- var support.business_hours: start_hour, end_hour and working days (ISO 1-7), with the defaults filled in. -#}
{% macro support_business_hours() -%}
    {%- set given = var('support').get('business_hours', {}) -%}
    {{ return({
        'start_hour': given.get('start_hour', 9) | int,
        'end_hour': given.get('end_hour', 17) | int,
        'days': given.get('days', [1, 2, 3, 4, 5]) | map('int') | list,
    }) }}
{%- endmacro %}

{#-
    The columns of one business day's working window, for a `day_expr` (date) of a day spine: is_working_day,
    window_start and window_end (the UTC instants of the local start and end hours).
-#}
{% macro support_business_windows(day_expr) -%}
    {%- set hours = vitals.support_business_hours() -%}
    {%- set local_midnight = 'cast(' ~ day_expr ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {{ vitals.iso_dow(day_expr) }} in ({{ hours['days'] | join(', ') }}) as is_working_day,
    {{ vitals.from_business_time(vitals.add_minutes(local_midnight, 60 * hours['start_hour'])) }} as window_start,
    {{ vitals.from_business_time(vitals.add_minutes(local_midnight, 60 * hours['end_hour'])) }} as window_end
{%- endmacro %}

{#-
    A full SELECT of one row per row of `spans` (a relation whose span_start <= span_end are UTC timestamps): its
    `carry` columns and elapsed_seconds, the whole seconds from span_start to span_end on the time basis. On
    business hours each span is spread over the business days it touches, and each working day adds the overlap
    of the span with its window.
-#}
{% macro support_elapsed_seconds_select(spans, carry) -%}
    {%- if not vitals.support_uses_business_hours() -%}
    select
        {% for column in carry %}{{ column }},
        {% endfor -%}
        {{ vitals.seconds_between('span_start', 'span_end') }} as elapsed_seconds
    from {{ spans }}
    {%- else -%}
    select
        {% for column in carry %}{{ column }},
        {% endfor -%}
        cast(floor(sum(
            case
                when is_working_day and least(span_end, window_end) > greatest(span_start, window_start)
                    then {{ vitals.epoch_ms_between(
                        'greatest(span_start, window_start)', 'least(span_end, window_end)'
                    ) }}
                else 0
            end
        ) / 1000.0) as {{ dbt.type_bigint() }}) as elapsed_seconds
    from (
        select
            span_days.*,
            {{ vitals.support_business_windows('span_days.day') }}
        from (
            {{ vitals.date_spine_select(
                vitals.business_date('span_start'), vitals.business_date('span_end'), spans,
                carry=carry + ['span_start', 'span_end'],
            ) }}
        ) as span_days
    ) as span_windows
    group by {{ carry | join(', ') }}
    {%- endif -%}
{%- endmacro %}

{#-
    A full SELECT of one row per row of `tickets` (columns ticket_id, created_at, sla_priority): ticket_id and
    due_at, when the ticket has waited its priority's first-response target since created_at on the time basis.
    Clock: created_at plus the target. Business hours (except the priorities of support_clock_sla_priorities,
    on clock time): the instant inside the working window where the waited business time reaches the target.
    The days searched reach far enough for the longest target whatever the working days.
-#}
{% macro support_due_at_select(tickets) -%}
    {%- set clock_priorities = vitals.support_clock_sla_priorities() -%}
    {%- set clock_list = "('" ~ clock_priorities | join("', '") ~ "')" -%}
    select
        ticket_id,
        {{ vitals.support_first_response_due_at('created_at', 'sla_priority') }} as due_at
    from {{ tickets }}
    {%- if vitals.support_uses_business_hours() %}
    where sla_priority in {{ clock_list }}
    union all
    {%- set targets = var('support')['first_response_targets_minutes'] -%}
    {%- set business_targets = [] -%}
    {%- for name in vitals.support_priorities() if name not in clock_priorities -%}
        {%- do business_targets.append(targets[name] | int) -%}
    {%- endfor -%}
    {%- set hours = vitals.support_business_hours() -%}
    {%- set window_minutes = 60 * (hours['end_hour'] - hours['start_hour']) -%}
    {#- working days needed (the first may be partly gone), as whole weeks of the working days, plus a week -#}
    {%- set working_days = ((business_targets | max) / window_minutes) | round(0, 'ceil') | int + 1 -%}
    {%- set horizon_days = 7 * ((working_days / (hours['days'] | length)) | round(0, 'ceil') | int + 1) %}
    select
        ticket_id,
        {{ vitals.support_add_milliseconds('effective_start', 'target_ms - waited_before_ms') }} as due_at
    from (
        select
            ticket_id,
            target_ms,
            effective_start,
            available_ms,
            sum(available_ms) over (
                partition by ticket_id
                order by day
                rows between unbounded preceding and current row
            ) - available_ms as waited_before_ms
        from (
            select
                ticket_id,
                target_ms,
                day,
                greatest(created_at, window_start) as effective_start,
                {{ vitals.epoch_ms_between('greatest(created_at, window_start)', 'window_end') }} as available_ms
            from (
                select
                    ticket_days.*,
                    {{ vitals.support_business_windows('ticket_days.day') }}
                from (
                    {{ vitals.date_spine_select(
                        vitals.business_date('created_at'),
                        vitals.add_days(vitals.business_date('created_at'), horizon_days),
                        '(select ticket_id, created_at, cast(60000 as ' ~ dbt.type_bigint() ~ ') * '
                            ~ vitals.support_first_response_target_minutes('sla_priority')
                            ~ ' as target_ms from ' ~ tickets ~ ' where sla_priority not in ' ~ clock_list
                            ~ ') as business_tickets',
                        carry=['ticket_id', 'created_at', 'target_ms'],
                    ) }}
                ) as ticket_days
            ) as ticket_windows
            where is_working_day and window_end > created_at
        ) as open_windows
    ) as waited
    where waited_before_ms < target_ms and waited_before_ms + available_ms >= target_ms
    {%- endif %}
{%- endmacro %}

{#- `expr` (a timestamp) plus `milliseconds` (a whole-number expression). -#}
{% macro support_add_milliseconds(expr, milliseconds) -%}
    {{ return(adapter.dispatch('support_add_milliseconds', 'vitals')(expr, milliseconds)) }}
{%- endmacro %}

{% macro default__support_add_milliseconds(expr, milliseconds) -%}
    ({{ expr }} + ({{ milliseconds }}) * interval '1 millisecond')
{%- endmacro %}

{% macro duckdb__support_add_milliseconds(expr, milliseconds) -%}
    ({{ expr }} + to_milliseconds(cast({{ milliseconds }} as bigint)))
{%- endmacro %}

{% macro spark__support_add_milliseconds(expr, milliseconds) -%}
    timestamp_millis(unix_millis({{ expr }}) + cast({{ milliseconds }} as bigint))
{%- endmacro %}
