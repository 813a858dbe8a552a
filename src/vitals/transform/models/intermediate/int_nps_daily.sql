{#-
    The NPS facts at (entity_type, entity_id, metric_date) grain, wide: nps_responses, nps_promoters,
    nps_passives, nps_detractors and nps (null without a response in the window, macro nps_window_days), global
    and per org. The global entity runs from the first response day, each org from its own, to the as-of
    date. With no response loaded there is no row at all (the source is not connected, see source_status).
-#}

with

nps_responses_scoped as (
    {{ vitals.marts_scoped(ref('stg_nps__responses'), ['response_id', 'response_date', 'nps_category']) }}
),

nps_starts as (
    select
        entity_type,
        entity_id,
        min(response_date) as start_day
    from nps_responses_scoped
    group by entity_type, entity_id
),

nps_entity_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'nps_starts', carry=['entity_type', 'entity_id']) }}
),

nps_counts as (
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.day as metric_date,
        count(responses.response_id) as nps_responses,
        {{ vitals.count_if("responses.nps_category = 'promoter'") }} as nps_promoters,
        {{ vitals.count_if("responses.nps_category = 'passive'") }} as nps_passives,
        {{ vitals.count_if("responses.nps_category = 'detractor'") }} as nps_detractors
    from nps_entity_days as entity_days
    left join nps_responses_scoped as responses
        on
            entity_days.entity_type = responses.entity_type
            and entity_days.entity_id = responses.entity_id
            and entity_days.day >= responses.response_date
            and responses.response_date
            >= {{ vitals.add_days('entity_days.day', 1 - (vitals.nps_window_days() | int)) }}
    where entity_days.day is not null
    group by entity_days.entity_type, entity_days.entity_id, entity_days.day
),

nps_wide as (
    select
        entity_type,
        entity_id,
        metric_date,
        nps_responses,
        nps_promoters,
        nps_passives,
        nps_detractors,
        100 * {{ vitals.safe_divide('nps_promoters - nps_detractors', 'nps_responses') }} as nps
    from nps_counts
)

select * from nps_wide
