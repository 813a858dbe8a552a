{#-
    Provider lifecycle per business week (Monday), global and per org (the provider's org), from the
    week of the entity's first event to the as-of week. A provider active in a week (at least one
    event) is new (its first active week), returning (also active the week before) or resurrecting
    (not active the week before, active some earlier week); a provider active the week before but
    not this week is dormant this week.
-#}

with

provider_weeks as (
    select distinct
        provider_id,
        org_id,
        {{ vitals.week_start('activity_date') }} as activity_week
    from {{ ref('int_provider_activity_days') }}
),

first_weeks as (
    select
        provider_id,
        min(activity_week) as first_week
    from provider_weeks
    group by provider_id
),

as_of_week as (
    select {{ vitals.week_start(vitals.as_of_date()) }} as week_start
),

active_stages as (
    select
        this_week.provider_id,
        this_week.org_id,
        this_week.activity_week as week_start,
        case
            when this_week.activity_week = first_weeks.first_week then 'new'
            when previous_week.provider_id is not null then 'returning'
            else 'resurrecting'
        end as lifecycle_stage
    from provider_weeks as this_week
    inner join first_weeks
        on this_week.provider_id = first_weeks.provider_id
    left join provider_weeks as previous_week
        on
            this_week.provider_id = previous_week.provider_id
            and previous_week.activity_week = {{ vitals.add_days('this_week.activity_week', -7) }}
),

dormant_stages as (
    -- active one week, not the next (up to the as-of week): dormant the next week
    select
        this_week.provider_id,
        this_week.org_id,
        {{ vitals.add_days('this_week.activity_week', 7) }} as week_start,
        'dormant' as lifecycle_stage
    from provider_weeks as this_week
    cross join as_of_week
    left join provider_weeks as next_week
        on
            this_week.provider_id = next_week.provider_id
            and next_week.activity_week = {{ vitals.add_days('this_week.activity_week', 7) }}
    where
        next_week.provider_id is null
        and {{ vitals.add_days('this_week.activity_week', 7) }} <= as_of_week.week_start
),

stages as (
    select * from active_stages
    union all
    select * from dormant_stages
),

scoped_stages as (
    {{ vitals.marts_scoped('stages', ['provider_id', 'week_start', 'lifecycle_stage']) }}
),

stage_counts as (
    select
        entity_type,
        entity_id,
        week_start,
        {{ vitals.count_if("lifecycle_stage = 'new'") }} as lifecycle_new_providers,
        {{ vitals.count_if("lifecycle_stage = 'returning'") }} as lifecycle_returning_providers,
        {{ vitals.count_if("lifecycle_stage = 'resurrecting'") }} as lifecycle_resurrecting_providers,
        {{ vitals.count_if("lifecycle_stage = 'dormant'") }} as lifecycle_dormant_providers
    from scoped_stages
    group by entity_type, entity_id, week_start
),

entity_weeks as (
    select distinct
        entity_type,
        entity_id,
        week_start
    from {{ ref('int_entity_days') }}
),

final as (
    select
        entity_weeks.week_start,
        entity_weeks.entity_type,
        entity_weeks.entity_id,
        coalesce(stage_counts.lifecycle_new_providers, 0) as lifecycle_new_providers,
        coalesce(stage_counts.lifecycle_returning_providers, 0) as lifecycle_returning_providers,
        coalesce(stage_counts.lifecycle_resurrecting_providers, 0) as lifecycle_resurrecting_providers,
        coalesce(stage_counts.lifecycle_dormant_providers, 0) as lifecycle_dormant_providers,
        coalesce(
            stage_counts.lifecycle_new_providers
            + stage_counts.lifecycle_returning_providers
            + stage_counts.lifecycle_resurrecting_providers,
            0
        ) as lifecycle_active_providers
    from entity_weeks
    left join stage_counts
        on
            entity_weeks.entity_type = stage_counts.entity_type
            and entity_weeks.entity_id = stage_counts.entity_id
            and entity_weeks.week_start = stage_counts.week_start
)

select * from final
