{#
    Macros of the seed 000 analyses marts (models/marts/analyses). Engine-specific forms are
    dispatched per adapter (default__ = PostgreSQL, duckdb__, spark__).
#}

{#- A business-time-zone wall-clock timestamp as the UTC instant it names (inverse of to_business_time). -#}
{% macro from_business_time(expr, tz=none) -%}
    {%- set zone = tz if tz is not none else var('business_tz') -%}
    {{ return(adapter.dispatch('from_business_time', 'vitals')(expr, zone)) }}
{%- endmacro %}

{% macro default__from_business_time(expr, zone) -%}
    (({{ expr }} at time zone '{{ zone }}') at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__from_business_time(expr, zone) -%}
    timezone('UTC', timezone('{{ zone }}', {{ expr }}))
{%- endmacro %}

{% macro spark__from_business_time(expr, zone) -%}
    to_utc_timestamp({{ expr }}, '{{ zone }}')
{%- endmacro %}

{#- Elapsed days (a double, fractional) from one UTC timestamp to another; negative when end is earlier. -#}
{% macro days_elapsed(start, end) -%}
    (cast({{ vitals.epoch_ms_between(start, end) }} as {{ vitals.type_double() }}) / 86400000.0)
{%- endmacro %}

{#- The start of the "last 30 days" window: the build's as-of time minus 30 x 24 hours (never the wall clock). -#}
{% macro analyses_window_start(days=30) -%}
    {{ vitals.add_minutes(vitals.as_of(), -1440 * days) }}
{%- endmacro %}
