{#
    Stripe helpers (portable SQL: no engine-specific form is needed).
#}

{#-
    An amount billed every `interval_count` `interval`s (day, week, month, year) as a monthly amount
    (double): month / count, year / (12 x count), week x 52 / (12 x count), day x 365 / (12 x count).
    Null for an unknown interval.
-#}
{% macro stripe_monthly_cents(amount, interval, interval_count) -%}
    case {{ interval }}
        when 'month' then cast({{ amount }} as {{ vitals.type_double() }}) / {{ interval_count }}
        when 'year' then cast({{ amount }} as {{ vitals.type_double() }}) / (12 * {{ interval_count }})
        when 'week' then cast({{ amount }} as {{ vitals.type_double() }}) * 52 / (12 * {{ interval_count }})
        when 'day' then cast({{ amount }} as {{ vitals.type_double() }}) * 365 / (12 * {{ interval_count }})
    end
{%- endmacro %}

{#-
    `select * from` a raw Stripe table (a source relation), or, while that table does not exist yet
    (no Stripe data was ever stored), an empty result with the given text columns, so the staging
    models build on any warehouse.
-#}
{% macro stripe_raw_or_empty(relation, columns) -%}
    {%- set found = relation -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if found is not none -%}
        select * from {{ relation }}
    {%- else -%}
        select
            {%- for column in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from (select 1 as one) as no_rows
        where 1 = 0
    {%- endif -%}
{%- endmacro %}
