{#
    The settings models read (dbt vars passed by vitals.warehouse.dbt.build from
    vitals.config.Settings.dbt_vars()).
#}

{#-
    The build's as-of time: a UTC timestamp literal. Rows that happened later are invisible. From the var
    `as_of` when given (plain dbt, unit tests), else from VITALS_BUILD_AS_OF, else the run's start.
-#}
{% macro as_of() -%}
    {%- set value = var('as_of', none) -%}
    {%- if (value is none or value == '') and execute -%}
        {#- vitals.warehouse.dbt passes the as-of time in the environment, read only when a node runs: a var
            would change at every build and make dbt parse the whole project again -#}
        {%- set value = env_var('VITALS_BUILD_AS_OF', '') -%}
    {%- endif -%}
    {%- if value is none or value == '' -%}
        {%- set value = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- endif -%}
    {%- set value = (value | string) | replace('T', ' ') -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?$', value) -%}
        {{ exceptions.raise_compiler_error("var 'as_of' must be UTC text 'YYYY-MM-DD HH:MM:SS', got '" ~ value ~ "'") }}
    {%- endif -%}
    cast('{{ value }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#-
    The canonical event name (SPEC §3) of an app event name (already trimmed and lowercased).
    An unmapped name is kept as sent, unless it is itself a canonical name that the configuration
    maps to other app names: then it is null (the app's name stays in app_event_name).
-#}
{% macro canonical_event_name(expr) -%}
    {%- set mapping = var('event_names') -%}
    {%- set mapped = [] -%}
    {%- for names in mapping.values() -%}
        {%- for name in names -%}
            {%- do mapped.append(name | lower | trim) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set remapped = [] -%}
    {%- for canonical in mapping.keys() -%}
        {%- if canonical not in mapped -%}
            {%- do remapped.append(canonical) -%}
        {%- endif -%}
    {%- endfor -%}
    case
        {%- for canonical, names in mapping.items() %}
        when {{ expr }} in ({{ vitals._sql_text_list(names) }}) then '{{ canonical }}'
        {%- endfor %}
        {%- if remapped %}
        when {{ expr }} in ({{ vitals._sql_text_list(remapped) }}) then null
        {%- endif %}
        else {{ expr }}
    end
{%- endmacro %}

{#- 'a', 'b', ... : lowercased, quoted SQL text literals. -#}
{% macro _sql_text_list(values) -%}
    {%- for value in values -%}
        '{{ value | lower | trim | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}

{#- The text of an allowlisted event property; a key not on the allowlist is always null. -#}
{% macro allowed_property(json_value, key) -%}
    {%- if key in var('property_allowlist') -%}
        {{ vitals.json_get_text(json_value, key) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- Minutes after its start at which a job with no outcome is a timeout. -#}
{% macro job_timeout_minutes() -%}
    {{ var('job_timeout_minutes') | int }}
{%- endmacro %}
