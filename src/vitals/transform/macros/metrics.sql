{#
    The metrics layer. Domain models (metrics_daily__<domain>) compute their whole history;
    metrics_daily appends what changed: on an incremental build it recomputes only the days from
    the first affected day (see metrics_affected_from) and keeps the rest.
#}

{#-
    The first metric date a domain model must compute. Domain models keep their whole history,
    so this is a date before any data unless the var `metrics_from` ('YYYY-MM-DD') narrows it.
-#}
{% macro metrics_from_date() -%}
    {%- set value = var('metrics_from', none) -%}
    {%- if value is none or value == '' -%}
        cast('1900-01-01' as date)
    {%- else -%}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}

{#-
    On an incremental build of metrics_daily: the first day whose metrics can have changed since
    the previous build, as a SQL date expression. A day changes when a source row landed since then
    touches it (events, errors and NPS responses by their business date, invoices by their period start: trailing
    windows are recomputed from that day on); the previous build's last day is recomputed in any
    case (timeouts and late rows of the day it was built on), and so is everything after this build's
    as-of day (a build as of an earlier time drops the later days).
-#}
{% macro metrics_affected_from() -%}
    {%- set sources = [
        (ref('stg_app__events'), 'occurred_at'),
        (ref('stg_sentry__errors'), 'created_at'),
        (ref('stg_stripe__invoices'), 'period_start'),
        (ref('stg_nps__responses'), 'responded_at'),
    ] -%}
    (
        select min(affected_day) from (
            select {{ vitals.business_date('max(computed_as_of)') }} as affected_day from {{ this }}
            union all
            select {{ vitals.as_of_date() }} as affected_day
            {%- for relation, column in sources %}
            union all
            select {{ vitals.business_date('min(' ~ column ~ ')') }} as affected_day
            from {{ relation }}
            where loaded_at > (select max(loaded_through) from {{ this }})
            {%- endfor %}
        ) as affected
    )
{%- endmacro %}
