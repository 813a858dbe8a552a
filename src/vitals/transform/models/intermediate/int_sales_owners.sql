{#-
    Sales owners: one row per owner with a quota, named and placed in a team by their latest quota month.
-#}

with

quotas as (
    select * from {{ ref('stg_crm__quotas') }}
),

ranked as (
    select
        owner_id,
        owner_name,
        team,
        row_number() over (partition by owner_id order by month_start desc) as month_rank
    from quotas
),

final as (
    select
        owner_id,
        owner_name,
        team
    from ranked
    where month_rank = 1
)

select * from final
