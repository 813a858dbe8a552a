-- Portability check of the time macros on the engine at hand: returns the checks that fail.
-- DST: America/Los_Angeles jumps from 02:00 PST to 03:00 PDT on 2026-03-08 (10:00 UTC) and
-- falls back from 02:00 PDT to 01:00 PST on 2026-11-01 (09:00 UTC).

with

checks as (
    select
        'naive text is utc' as check_name,
        {{ vitals.parse_utc_timestamp("'2026-03-08 09:50:00.250'") }} as actual,
        cast('2026-03-08 09:50:00.250' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'iso t and z' as check_name,
        {{ vitals.parse_utc_timestamp("'2026-03-08T09:50:00Z'") }} as actual,
        cast('2026-03-08 09:50:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'negative offset' as check_name,
        {{ vitals.parse_utc_timestamp("'2026-11-01T01:20:00-08:00'") }} as actual,
        cast('2026-11-01 09:20:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'positive offset' as check_name,
        {{ vitals.parse_utc_timestamp("'2026-07-01 02:00:00+02:00'") }} as actual,
        cast('2026-07-01 00:00:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'date only' as check_name,
        {{ vitals.parse_utc_timestamp("'2026-07-01'") }} as actual,
        cast('2026-07-01 00:00:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'before spring forward' as check_name,
        {{ vitals.to_business_time("cast('2026-03-08 09:59:00' as " ~ dbt.type_timestamp() ~ ")", 'America/Los_Angeles') }} as actual,
        cast('2026-03-08 01:59:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'after spring forward' as check_name,
        {{ vitals.to_business_time("cast('2026-03-08 10:00:00' as " ~ dbt.type_timestamp() ~ ")", 'America/Los_Angeles') }} as actual,
        cast('2026-03-08 03:00:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'before fall back' as check_name,
        {{ vitals.to_business_time("cast('2026-11-01 08:30:00' as " ~ dbt.type_timestamp() ~ ")", 'America/Los_Angeles') }} as actual,
        cast('2026-11-01 01:30:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'after fall back' as check_name,
        {{ vitals.to_business_time("cast('2026-11-01 09:30:00' as " ~ dbt.type_timestamp() ~ ")", 'America/Los_Angeles') }} as actual,
        cast('2026-11-01 01:30:00' as {{ dbt.type_timestamp() }}) as expected

    union all

    select
        'add minutes' as check_name,
        {{ vitals.add_minutes("cast('2026-03-08 09:30:00' as " ~ dbt.type_timestamp() ~ ")", 60) }} as actual,
        cast('2026-03-08 10:30:00' as {{ dbt.type_timestamp() }}) as expected
),

failures as (
    select * from checks
    where actual is null or actual <> expected
)

select * from failures
