{#
    Helper functions some engines need before any model runs.
    PostgreSQL 15 has no `is json` predicate: `vitals_try_json(text)` returns the parsed jsonb, or
    null when the text is not valid JSON.
#}
{% macro create_helper_functions() -%}
    {{ return(adapter.dispatch('create_helper_functions', 'vitals')()) }}
{%- endmacro %}

{% macro default__create_helper_functions() -%}
    select 1 as nothing_to_create
{%- endmacro %}

{% macro postgres__create_helper_functions() -%}
    create schema if not exists {{ target.schema }};
    create or replace function {{ target.schema }}.vitals_try_json(value text)
    returns jsonb
    language plpgsql
    immutable
    parallel unsafe
    as $body$
    begin
        if value is null or value !~ '^[[:space:]]*[[{"0-9tfn-]' then
            return null;
        end if;
        return cast(value as jsonb);
    exception when others then
        return null;
    end;
    $body$;
{%- endmacro %}
