{#
    Every engine-specific SQL form lives here, dispatched per adapter (default__, duckdb__,
    postgres__, spark__). Models only call these macros and dbt's own cross-database macros.

    Regular expressions are written without backslashes (character classes such as [0-9] and
    [.]) so that the same pattern text means the same thing in DuckDB, PostgreSQL and Spark.
#}

{# ---------------------------------------------------------------- types #}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'vitals')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{# ---------------------------------------------------------------- regular expressions #}

{#- True when `expr` matches the (anchored) regular expression `pattern`. -#}
{% macro regex_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_match', 'vitals')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_match(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_match(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_match(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_match(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{# ---------------------------------------------------------------- ids #}

{#- Trimmed text; '', 'null' and 'none' (any case) become null. `lower`: also lowercase it. -#}
{% macro clean_text(expr, lower=false) -%}
    {%- set trimmed = 'lower(trim(' ~ expr ~ '))' if lower else 'trim(' ~ expr ~ ')' -%}
    case
        when lower(trim({{ expr }})) in ('', 'null', 'none') then null
        else {{ trimmed }}
    end
{%- endmacro %}

{#- An id: trimmed, lowercased, '' / 'null' / 'none' -> null. -#}
{% macro normalize_id(expr) -%}
    {{ vitals.clean_text(expr, lower=true) }}
{%- endmacro %}

{#- True when an already normalized (lowercase) id is a canonical UUID. -#}
{% macro is_uuid(expr) -%}
    {{ vitals.regex_match(expr, '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') }}
{%- endmacro %}

{#- A normalized id when it is a valid UUID, else null. -#}
{% macro uuid_or_null(expr) -%}
    case when {{ vitals.is_uuid(expr) }} then {{ expr }} end
{%- endmacro %}

{#- True when a normalized id is present but is not a valid UUID (counted in data health). -#}
{% macro is_invalid_uuid(expr) -%}
    ({{ expr }} is not null and not {{ vitals.is_uuid(expr) }})
{%- endmacro %}

{# ---------------------------------------------------------------- casts that never fail #}

{#- Whole number (optionally written with a zero fraction, e.g. '10.0') -> bigint, else null. -#}
{% macro try_cast_bigint(expr) -%}
    case
        when {{ vitals.regex_match(expr, '^[+-]?[0-9]{1,18}([.]0*)?$') }}
            then cast(cast({{ expr }} as decimal(38, 6)) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{#- Decimal or scientific number -> double, else null. -#}
{% macro try_cast_double(expr) -%}
    case
        when {{ vitals.regex_match(expr, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
            then cast({{ expr }} as {{ vitals.type_double() }})
    end
{%- endmacro %}

{#- true/t/1/yes/y and false/f/0/no/n (any case) -> boolean, else null. -#}
{% macro try_cast_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ expr }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{# ---------------------------------------------------------------- timestamps #}

{% macro _ts_naive_pattern() -%}
    ^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$
{%- endmacro %}

{% macro _ts_offset_pattern() -%}
    ^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$
{%- endmacro %}

{#-
    Source timestamp text -> UTC timestamp (without time zone). Text without an offset is UTC;
    an ISO-8601 offset ('Z', '+02:00', '-0500') is honored. Anything else -> null.
-#}
{% macro parse_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'vitals')(expr)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expr) -%}
    case
        when {{ vitals.regex_match(expr, vitals._ts_naive_pattern()) }}
            then cast({{ expr }} as {{ dbt.type_timestamp() }})
        when {{ vitals.regex_match(expr, vitals._ts_offset_pattern()) }}
            then cast(cast({{ expr }} as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
    end
{%- endmacro %}

{% macro duckdb__parse_utc_timestamp(expr) -%}
    case
        when {{ vitals.regex_match(expr, vitals._ts_naive_pattern()) }}
            then try_cast({{ expr }} as timestamp)
        when {{ vitals.regex_match(expr, vitals._ts_offset_pattern()) }}
            then timezone('UTC', try_cast({{ expr }} as timestamptz))
    end
{%- endmacro %}

{% macro postgres__parse_utc_timestamp(expr) -%}
    case
        when {{ vitals.regex_match(expr, vitals._ts_naive_pattern()) }}
            then cast({{ expr }} as timestamp)
        when {{ vitals.regex_match(expr, vitals._ts_offset_pattern()) }}
            then (cast({{ expr }} as timestamptz) at time zone 'UTC')
    end
{%- endmacro %}

{#- Spark's timestamp follows the session time zone, which vitals sets to UTC. -#}
{% macro spark__parse_utc_timestamp(expr) -%}
    case
        when {{ vitals.regex_match(expr, vitals._ts_naive_pattern()) }}
            then try_cast({{ expr }} as timestamp)
        when {{ vitals.regex_match(expr, vitals._ts_offset_pattern()) }}
            then try_cast(regexp_replace({{ expr }}, ' ([zZ+-])', '$1') as timestamp)
    end
{%- endmacro %}

{#- A UTC timestamp as wall-clock time in the business time zone (DST-correct). -#}
{% macro to_business_time(expr, tz=none) -%}
    {%- set zone = tz if tz is not none else var('business_tz') -%}
    {{ return(adapter.dispatch('to_business_time', 'vitals')(expr, zone)) }}
{%- endmacro %}

{% macro default__to_business_time(expr, zone) -%}
    (({{ expr }} at time zone 'UTC') at time zone '{{ zone }}')
{%- endmacro %}

{% macro duckdb__to_business_time(expr, zone) -%}
    timezone('{{ zone }}', timezone('UTC', {{ expr }}))
{%- endmacro %}

{% macro spark__to_business_time(expr, zone) -%}
    from_utc_timestamp({{ expr }}, '{{ zone }}')
{%- endmacro %}

{#- `expr` plus a whole number of minutes. -#}
{% macro add_minutes(expr, minutes) -%}
    {{ return(adapter.dispatch('add_minutes', 'vitals')(expr, minutes | int)) }}
{%- endmacro %}

{% macro default__add_minutes(expr, minutes) -%}
    ({{ expr }} + interval '{{ minutes }}' minute)
{%- endmacro %}

{#- Milliseconds from `start` to `end` (both UTC timestamps); negative when end is earlier. -#}
{% macro epoch_ms_between(start, end) -%}
    {{ return(adapter.dispatch('epoch_ms_between', 'vitals')(start, end)) }}
{%- endmacro %}

{% macro default__epoch_ms_between(start, end) -%}
    cast(floor(extract(epoch from {{ end }}) * 1000) - floor(extract(epoch from {{ start }}) * 1000) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__epoch_ms_between(start, end) -%}
    (epoch_ms({{ end }}) - epoch_ms({{ start }}))
{%- endmacro %}

{% macro spark__epoch_ms_between(start, end) -%}
    (unix_millis({{ end }}) - unix_millis({{ start }}))
{%- endmacro %}

{#- Whole seconds from `start` to `end` (rounded down). -#}
{% macro seconds_between(start, end) -%}
    cast(floor({{ vitals.epoch_ms_between(start, end) }} / 1000.0) as {{ dbt.type_bigint() }})
{%- endmacro %}

{# ---------------------------------------------------------------- JSON #}

{#- Source JSON text -> the engine's JSON value, or null when the text is not valid JSON. -#}
{% macro json_parse(expr) -%}
    {{ return(adapter.dispatch('json_parse', 'vitals')(expr)) }}
{%- endmacro %}

{% macro duckdb__json_parse(expr) -%}
    case when json_valid({{ expr }}) then json({{ expr }}) end
{%- endmacro %}

{% macro postgres__json_parse(expr) -%}
    {{ target.schema }}.vitals_try_json({{ expr }})
{%- endmacro %}

{% macro spark__json_parse(expr) -%}
    try_parse_json({{ expr }})
{%- endmacro %}

{#- The text of top-level key `key` of a parsed JSON object (null when absent or not an object). -#}
{% macro json_get_text(json_value, key) -%}
    {{ return(adapter.dispatch('json_get_text', 'vitals')(json_value, key)) }}
{%- endmacro %}

{% macro duckdb__json_get_text(json_value, key) -%}
    json_extract_string({{ json_value }}, '$."{{ key }}"')
{%- endmacro %}

{% macro postgres__json_get_text(json_value, key) -%}
    case when jsonb_typeof({{ json_value }}) = 'object' then jsonb_extract_path_text({{ json_value }}, '{{ key }}') end
{%- endmacro %}

{% macro spark__json_get_text(json_value, key) -%}
    try_variant_get({{ json_value }}, '$.{{ key }}', 'string')
{%- endmacro %}

{#-
    A Sentry tag's value: tags arrive either as an object {"key": "value"} or as a list of
    [key, value] pairs; both give the same answer.
-#}
{% macro json_tag(json_value, key) -%}
    {{ return(adapter.dispatch('json_tag', 'vitals')(json_value, key)) }}
{%- endmacro %}

{% macro duckdb__json_tag(json_value, key) -%}
    case
        when json_type({{ json_value }}) = 'OBJECT'
            then json_extract_string({{ json_value }}, '$."{{ key }}"')
        when json_type({{ json_value }}) = 'ARRAY'
            then list_extract(
                json_extract_string({{ json_value }}, '$[*][1]'),
                list_position(json_extract_string({{ json_value }}, '$[*][0]'), '{{ key }}')
            )
    end
{%- endmacro %}

{% macro postgres__json_tag(json_value, key) -%}
    case jsonb_typeof({{ json_value }})
        when 'object' then jsonb_extract_path_text({{ json_value }}, '{{ key }}')
        when 'array' then jsonb_path_query_first({{ json_value }}, 'strict $[*] ? (@[0] == "{{ key }}")[1]') #>> '{}'
    end
{%- endmacro %}

{% macro spark__json_tag(json_value, key) -%}
    coalesce(
        try_variant_get({{ json_value }}, '$.{{ key }}', 'string'),
        get(
            get(
                filter(
                    try_variant_get({{ json_value }}, '$', 'array<array<string>>'),
                    pair -> get(pair, 0) = '{{ key }}'
                ),
                0
            ),
            1
        )
    )
{%- endmacro %}
