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

{#- When a ticket's first response is due: created_at plus its priority's target. -#}
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
