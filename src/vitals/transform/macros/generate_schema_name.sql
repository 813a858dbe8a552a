{#
    A model's custom schema is used as-is (staging, intermediate); models without one land in the
    target's schema (DuckDB: main, PostgreSQL: settings.postgres.schema_name, Spark: analytics).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
