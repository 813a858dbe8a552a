-- Portability check of the calendar macros on the engine at hand: returns the checks that fail.
-- Values are compared as text so dates, integers and doubles share one column.
-- 2026-11-01 08:30 UTC is 01:30 PDT on Sunday 2026-11-01; 2026-11-02 07:30 UTC is 23:30 PST on Sunday.

{% set ts = "cast('2026-11-02 07:30:00' as " ~ dbt.type_timestamp() ~ ")" %}
{% set day = "cast('2026-11-04' as date)" %}

with

checks as (
    select 'business date' as check_name, cast({{ vitals.business_date(ts) }} as {{ dbt.type_string() }}) as actual, '2026-11-01' as expected
    union all
    select 'business hour', cast({{ vitals.business_hour(ts) }} as {{ dbt.type_string() }}), '23'
    union all
    select 'week start monday', cast({{ vitals.week_start(day) }} as {{ dbt.type_string() }}), '2026-11-02'
    union all
    select 'month start', cast({{ vitals.month_start(day) }} as {{ dbt.type_string() }}), '2026-11-01'
    union all
    select 'iso dow wednesday', cast({{ vitals.iso_dow(day) }} as {{ dbt.type_string() }}), '3'
    union all
    select 'iso dow sunday', cast({{ vitals.iso_dow("cast('2026-11-01' as date)") }} as {{ dbt.type_string() }}), '7'
    union all
    select 'add days back', cast({{ vitals.add_days(day, -6) }} as {{ dbt.type_string() }}), '2026-10-29'
    union all
    select 'add days forward', cast({{ vitals.add_days(day, 28) }} as {{ dbt.type_string() }}), '2026-12-02'
    union all
    select 'days between', cast({{ vitals.days_between("cast('2026-10-30' as date)", day) }} as {{ dbt.type_string() }}), '5'
    union all
    select 'safe divide by zero', coalesce(cast({{ vitals.safe_divide(1, 0) }} as {{ dbt.type_string() }}), 'null'), 'null'
    union all
    select 'safe divide', case when {{ vitals.safe_divide(1, 4) }} = 0.25 then 'ok' else 'wrong' end, 'ok'
),

spine as (
    {{ vitals.date_spine_select("cast('2026-10-30' as date)", "cast('2026-11-02' as date)", "(select 1 as one) as bounds") }}
),

percentiles as (
    select {{ vitals.percentile('x', 0.5) }} as p50, {{ vitals.percentile('x', 0.95) }} as p95
    from (
        select 10 as x union all select 20 as x union all select 30 as x union all select 40 as x
    ) as xs
),

failures as (
    select check_name, actual, expected from checks
    where actual is null or actual <> expected
    union all
    select 'date spine', cast(count(*) as {{ dbt.type_string() }}), '4 days from 2026-10-30 to 2026-11-02'
    from spine
    having count(*) <> 4 or min(day) <> cast('2026-10-30' as date) or max(day) <> cast('2026-11-02' as date)
    union all
    select 'percentile', cast(p50 as {{ dbt.type_string() }}) || ' ' || cast(p95 as {{ dbt.type_string() }}), '25 38.5'
    from percentiles
    where p50 <> 25 or abs(p95 - 38.5) > 1e-9
)

select * from failures
