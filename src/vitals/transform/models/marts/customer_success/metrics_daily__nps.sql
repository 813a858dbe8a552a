{#-
    NPS in long form (the metrics contract): nps and nps_responses, global and per org, every business
    day from the entity's first response day to the as-of date. nps is omitted on days without a
    response in the window. No NPS loaded: no rows (the metric reports "source not connected").
-#}

with

nps_wide as (
    select * from {{ ref('int_nps_daily') }}
),

final as (
    {{ vitals.marts_unpivot('nps_wide', ['nps', 'nps_responses']) }}
)

select * from final
