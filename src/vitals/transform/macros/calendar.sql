{#
    Calendar and statistics macros for the marts. Every day, week, month and hour bucket is taken
    in the business time zone (var business_tz); weeks start on Monday. Each engine-specific form is
    dispatched per adapter (default__ = PostgreSQL, duckdb__, spark__); the singular test
    assert_calendar_macros checks them on the engine at hand.
#}

{#- The business-time-zone calendar date of a UTC timestamp. -#}
{% macro business_date(expr) -%}
    cast({{ vitals.to_business_time(expr) }} as date)
{%- endmacro %}

{#- The business-time-zone hour (0-23) of a UTC timestamp. -#}
{% macro business_hour(expr) -%}
    cast(extract(hour from {{ vitals.to_business_time(expr) }}) as integer)
{%- endmacro %}

{#- The as-of time's business date: "today" for relative windows (never the wall clock). -#}
{% macro as_of_date() -%}
    {{ vitals.business_date(vitals.as_of()) }}
{%- endmacro %}

{#-
    A [start, end) span of UTC timestamps covers a business day when it covers the end of that day; on the
    as-of day, when it covers the as-of time (so the last day agrees with "now"). Used by the daily MRR models.
-#}
{% macro covers_business_day(start_expr, end_expr, day_expr) -%}
    (
        (
            {{ day_expr }} < {{ vitals.as_of_date() }}
            and {{ vitals.business_date(start_expr) }} <= {{ day_expr }}
            and {{ vitals.business_date(end_expr) }} > {{ day_expr }}
        )
        or (
            {{ day_expr }} = {{ vitals.as_of_date() }}
            and {{ start_expr }} <= {{ vitals.as_of() }}
            and {{ end_expr }} > {{ vitals.as_of() }}
        )
    )
{%- endmacro %}

{#- Monday of the week of a date. -#}
{% macro week_start(date_expr) -%}
    cast({{ dbt.date_trunc('week', date_expr) }} as date)
{%- endmacro %}

{#- First day of the month of a date. -#}
{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- First day of the quarter (January, April, July, October) of a date. -#}
{% macro quarter_start(date_expr) -%}
    cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
{%- endmacro %}

{#- ISO day of week of a date or timestamp: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_dow(expr) -%}
    {{ return(adapter.dispatch('iso_dow', 'vitals')(expr)) }}
{%- endmacro %}

{% macro default__iso_dow(expr) -%}
    cast(extract(isodow from {{ expr }}) as integer)
{%- endmacro %}

{% macro duckdb__iso_dow(expr) -%}
    cast(isodow({{ expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_dow(expr) -%}
    (pmod(dayofweek({{ expr }}) + 5, 7) + 1)
{%- endmacro %}

{#- A date plus a whole number of days (negative goes back); the result is a date. -#}
{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'vitals')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast({{ date_expr }} + ({{ days }}) * interval '1 day' as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expr, days) -%}
    cast({{ date_expr }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro spark__add_days(date_expr, days) -%}
    date_add({{ date_expr }}, {{ days }})
{%- endmacro %}

{#- Whole days from one date to another (end - start). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'vitals')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    cast(cast({{ end_date }} as date) - cast({{ start_date }} as date) as integer)
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff(cast({{ end_date }} as date), cast({{ start_date }} as date))
{%- endmacro %}

{#-
    A full SELECT of one row per day, column `day` (date), from `start_expr` to `end_expr`
    inclusive, evaluated per row of `from_clause` (e.g. "bounds" or "orgs"). Other columns of
    `from_clause` can be carried with `carry` (a list of column names).
-#}
{% macro date_spine_select(start_expr, end_expr, from_clause, carry=[]) -%}
    select
        {% for column in carry %}{{ column }}, {% endfor %}cast(spine_day as date) as day
    from (
        select
            {% for column in carry %}{{ column }}, {% endfor %}{{ adapter.dispatch('day_series', 'vitals')(start_expr, end_expr) }} as spine_day
        from {{ from_clause }}
    ) as spine
{%- endmacro %}

{% macro default__day_series(start_expr, end_expr) -%}
    generate_series(cast({{ start_expr }} as date), cast({{ end_expr }} as date), interval '1 day')
{%- endmacro %}

{% macro duckdb__day_series(start_expr, end_expr) -%}
    unnest(generate_series(cast({{ start_expr }} as date), cast({{ end_expr }} as date), interval 1 day))
{%- endmacro %}

{% macro spark__day_series(start_expr, end_expr) -%}
    explode(sequence(cast({{ start_expr }} as date), cast({{ end_expr }} as date), interval 1 day))
{%- endmacro %}

{#- Continuous (interpolated) percentile aggregate, p in [0, 1]. -#}
{% macro percentile(expr, p) -%}
    {{ return(adapter.dispatch('percentile', 'vitals')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}

{% macro spark__percentile(expr, p) -%}
    percentile({{ expr }}, {{ p }})
{%- endmacro %}

{#- a / b as a double; null when b is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ vitals.type_double() }}) / {{ denominator }}
    end
{%- endmacro %}

{#- Count of rows where `condition` holds (portable form of COUNT(*) FILTER (WHERE ...)). -#}
{% macro count_if(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}
