{#-
    The acquisition channel of each org: the channel and campaign of its first-touch lead (the earliest
    created lead with that org; ties by lead id).
-#}

with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
    where org_id is not null
),

ranked as (
    select
        org_id,
        lead_id,
        channel,
        campaign,
        created_at,
        row_number() over (partition by org_id order by created_at, lead_id) as touch_rank
    from leads
),

final as (
    select
        org_id,
        channel as acquisition_channel,
        campaign as acquisition_campaign,
        lead_id as first_lead_id,
        created_at as first_touch_at
    from ranked
    where touch_rank = 1
)

select * from final
