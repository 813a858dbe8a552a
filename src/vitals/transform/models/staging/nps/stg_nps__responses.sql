{#-
    NPS responses: one row per response_id answered at or before the build's as-of time; the last
    landed copy wins (a corrected export replaces the earlier one). Ids are trimmed and lowercased;
    an org or provider id that is not a valid UUID is kept as null (the response still counts in the
    global NPS). Rows without an id, a time, or a whole score from 0 to 10 are left out (the loader
    refuses them; this guards rows landed by other means).
-#}

with

source as (
    select * from {{ source('nps', 'nps_responses') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('response_id') }} as response_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.normalize_id('provider_id') }} as provider_id,
        {{ vitals.normalize_id('user_id') }} as user_id,
        {{ vitals.clean_text('score') }} as score_text,
        {{ vitals.clean_text('comment') }} as comment,  -- noqa: RF04
        {{ vitals.clean_text('responded_at') }} as responded_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        response_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        {{ vitals.uuid_or_null('provider_id') }} as provider_id,
        user_id,
        {{ vitals.try_cast_bigint('score_text') }} as score,
        comment,
        {{ vitals.parse_utc_timestamp('responded_at_text') }} as responded_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by response_id
            order by loaded_at desc nulls last, row_hash desc
        ) as copy_rank
    from typed
    where
        response_id is not null
        and responded_at is not null
        and responded_at <= {{ vitals.as_of() }}
        and score between 0 and 10
),

final as (
    select
        response_id,
        org_id,
        provider_id,
        user_id,
        cast(score as integer) as score,
        case
            when score >= 9 then 'promoter'
            when score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        comment,
        responded_at,
        {{ vitals.business_date('responded_at') }} as response_date,
        loaded_at
    from ranked
    where copy_rank = 1
)

select * from final
