{#-
    Weekly retention cohorts of providers (SPEC §6.3), global and per org: a provider joins in the
    business week (Monday) of its first event; it is retained in week k of its cohort when it has at
    least one event in the k-th week after the join week. One row per cohort, entity and week since
    joining (0 = the join week) up to the as-of week; the rows with weeks_since_join 1, 4 and 12 are
    the week-1, week-4 and week-12 retention.
-#}

with

providers as (
    select * from {{ ref('providers') }}
),

cohort_members as (
    select
        provider_id,
        org_id,
        {{ vitals.week_start(vitals.business_date('first_seen_at')) }} as cohort_week
    from providers
),

provider_weeks as (
    select distinct
        provider_id,
        org_id,
        {{ vitals.week_start('activity_date') }} as activity_week
    from {{ ref('int_provider_activity_days') }}
),

scoped_members as (
    {{ vitals.marts_scoped('cohort_members', ['provider_id', 'cohort_week']) }}
),

cohorts as (
    select
        entity_type,
        entity_id,
        cohort_week,
        count(*) as cohort_providers
    from scoped_members
    group by entity_type, entity_id, cohort_week
),

cohort_days as (
    {{ vitals.date_spine_select(
        'cohort_week', vitals.as_of_date(), 'cohorts',
        carry=['entity_type', 'entity_id', 'cohort_week', 'cohort_providers'],
    ) }}
),

cohort_weeks as (
    -- the Mondays from the join week to the as-of week
    select
        entity_type,
        entity_id,
        cohort_week,
        cohort_providers,
        day as activity_week,
        cast({{ vitals.days_between('cohort_week', 'day') }} / 7 as integer) as weeks_since_join
    from cohort_days
    where {{ vitals.iso_dow('day') }} = 1
),

retained as (
    select
        members.entity_type,
        members.entity_id,
        members.cohort_week,
        weeks.activity_week,
        count(distinct members.provider_id) as retained_providers
    from scoped_members as members
    inner join provider_weeks as weeks
        on members.provider_id = weeks.provider_id
    group by members.entity_type, members.entity_id, members.cohort_week, weeks.activity_week
),

final as (
    select
        cohort_weeks.cohort_week,
        cohort_weeks.weeks_since_join,
        cohort_weeks.activity_week,
        cohort_weeks.entity_type,
        cohort_weeks.entity_id,
        cohort_weeks.cohort_providers,
        coalesce(retained.retained_providers, 0) as retained_providers,
        {{ vitals.safe_divide('coalesce(retained.retained_providers, 0)', 'cohort_weeks.cohort_providers') }}
            as retention_rate
    from cohort_weeks
    left join retained
        on
            cohort_weeks.entity_type = retained.entity_type
            and cohort_weeks.entity_id = retained.entity_id
            and cohort_weeks.cohort_week = retained.cohort_week
            and cohort_weeks.activity_week = retained.activity_week
)

select * from final
