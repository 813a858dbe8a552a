-- Portability check of the id, number and JSON macros on the engine at hand: returns the
-- checks that fail.

{%- set tag_object = vitals.json_parse("'{\"request_id\": \"REQ-1\", \"browser\": \"Chrome\"}'") -%}
{%- set tag_pairs = vitals.json_parse("'[[\"browser\", \"Chrome\"], [\"note_id\", \"N-4\"]]'") -%}
{%- set properties = vitals.json_parse("'{\"note_id\": \"N-1\", \"length\": 500, \"quality_score\": 0.93, \"hard_error\": false}'") %}

with

checks as (
    select
        'tag from object' as check_name,
        {{ vitals.json_tag(tag_object, 'request_id') }} as actual,
        'REQ-1' as expected

    union all

    select
        'tag from pairs' as check_name,
        {{ vitals.json_tag(tag_pairs, 'note_id') }} as actual,
        'N-4' as expected

    union all

    select
        'missing tag' as check_name,
        coalesce({{ vitals.json_tag(tag_pairs, 'request_id') }}, 'absent') as actual,
        'absent' as expected

    union all

    select
        'property text' as check_name,
        {{ vitals.json_get_text(properties, 'note_id') }} as actual,
        'N-1' as expected

    union all

    select
        'property number' as check_name,
        cast({{ vitals.try_cast_bigint(vitals.json_get_text(properties, 'length')) }} as {{ dbt.type_string() }}) as actual,
        '500' as expected

    union all

    select
        'property double' as check_name,
        case
            when {{ vitals.try_cast_double(vitals.json_get_text(properties, 'quality_score')) }} = 0.93 then 'ok'
            else 'wrong'
        end as actual,
        'ok' as expected

    union all

    select
        'property boolean' as check_name,
        case when {{ vitals.try_cast_boolean(vitals.json_get_text(properties, 'hard_error')) }} = false then 'ok' else 'wrong' end as actual,
        'ok' as expected

    union all

    select
        'invalid json' as check_name,
        case when {{ vitals.json_parse("'#invalid-json'") }} is null then 'null' else 'parsed' end as actual,
        'null' as expected

    union all

    select
        'uuid' as check_name,
        coalesce({{ vitals.uuid_or_null(vitals.normalize_id("' AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA '")) }}, 'null') as actual,
        'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' as expected

    union all

    select
        'not a uuid' as check_name,
        coalesce({{ vitals.uuid_or_null(vitals.normalize_id("'acme-inc'")) }}, 'null') as actual,
        'null' as expected

    union all

    select
        'none id' as check_name,
        coalesce({{ vitals.normalize_id("' None '") }}, 'null') as actual,
        'null' as expected

    union all

    select
        'whole number with zero fraction' as check_name,
        cast({{ vitals.try_cast_bigint("'15000.0'") }} as {{ dbt.type_string() }}) as actual,
        '15000' as expected

    union all

    select
        'epoch milliseconds' as check_name,
        cast(
            {{ vitals.epoch_ms_between(
                "cast('2026-03-08 09:50:00' as " ~ dbt.type_timestamp() ~ ")",
                "cast('2026-03-08 10:05:30.250' as " ~ dbt.type_timestamp() ~ ")"
            ) }} as {{ dbt.type_string() }}
        ) as actual,
        '930250' as expected
),

failures as (
    select * from checks
    where actual is null or actual <> expected
)

select * from failures
