{#-
    NPS per org and business day over the trailing 90 days (macro nps_window_days), wide, for BI tools:
    responses, promoters, passives, detractors and the score. From the org's first response day to the
    as-of date; nps is null on days without a response in the window. Empty until NPS is loaded.
-#}

{{
    config(
        indexes=[
            {'columns': ['org_id', 'metric_date'], 'unique': true},
        ],
    )
}}

with

nps_wide as (
    select * from {{ ref('int_nps_daily') }}
),

final as (
    select
        metric_date,
        entity_id as org_id,
        nps_responses,
        nps_promoters,
        nps_passives,
        nps_detractors,
        nps
    from nps_wide
    where entity_type = 'org'
)

select * from final
