{#-
    Sales activities per owner (rep) and business month: calls, emails, meetings and notes, the deals and orgs
    they touched and the activities per deal touched (activities on a deal ÷ distinct deals).
-#}

with

activities as (
    select * from {{ ref('stg_crm__activities') }}
    where owner_id is not null
),

owners as (
    select * from {{ ref('int_sales_owners') }}
),

counted as (
    select
        {{ vitals.month_start('activity_date') }} as month_start,
        owner_id,
        count(*) as activities,
        {{ vitals.count_if("kind = 'call'") }} as calls,
        {{ vitals.count_if("kind = 'email'") }} as emails,
        {{ vitals.count_if("kind = 'meeting'") }} as meetings,
        {{ vitals.count_if("kind = 'note'") }} as notes,
        count(deal_id) as deal_activities,
        count(distinct deal_id) as deals_touched,
        count(distinct org_id) as orgs_touched
    from activities
    group by {{ vitals.month_start('activity_date') }}, owner_id
),

final as (
    select
        counted.month_start,
        counted.owner_id,
        coalesce(owners.owner_name, counted.owner_id) as owner_name,
        owners.team,
        counted.activities,
        counted.calls,
        counted.emails,
        counted.meetings,
        counted.notes,
        counted.deals_touched,
        counted.orgs_touched,
        {{ vitals.safe_divide('counted.deal_activities', 'counted.deals_touched') }} as activities_per_deal
    from counted
    left join owners
        on counted.owner_id = owners.owner_id
)

select * from final
