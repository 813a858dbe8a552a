{#-
    The entity-day spine every daily fact model is computed on: (entity_type, entity_id, metric_date) for the
    global entity from the first business day with an app event, and for each org from its own first event
    day, every day up to the as-of date, with the day's business week (Monday). Rebuilt whole at each build (one row per entity and day: small).
-#}

with

entity_starts as (
    select
        'global' as entity_type,
        'global' as entity_id,
        min({{ vitals.business_date('occurred_at') }}) as start_day
    from {{ ref('stg_app__events') }}
    having count(*) > 0
    union all
    select
        'org' as entity_type,
        org_id as entity_id,
        min({{ vitals.business_date('occurred_at') }}) as start_day
    from {{ ref('stg_app__events') }}
    where org_id is not null
    group by org_id
),

final as (
    select
        entity_type,
        entity_id,
        day as metric_date,
        {{ vitals.week_start('day') }} as week_start
    from (
        {{ vitals.date_spine_select(
            'start_day', vitals.as_of_date(), 'entity_starts', carry=['entity_type', 'entity_id']
        ) }}
    ) as entity_spine
)

select * from final
