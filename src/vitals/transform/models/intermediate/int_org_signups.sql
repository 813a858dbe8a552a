{#- One row per org with a signup: the time of its first org_created (or org_signup) event. -#}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

final as (
    select
        org_id,
        min(occurred_at) as signup_at
    from events
    where event_name = 'org_created' and org_id is not null
    group by org_id
)

select * from final
