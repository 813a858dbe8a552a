{#
    Retention campaigns (SPEC 6.9, seed 003), from the optional source retention_campaigns: a campaign's org is
    checked for recovery a fixed number of days after the start, against a control group of comparable at-risk
    orgs without a campaign (mart_customer_success_recovery_checks); the campaign and per-kind marts select from
    those checks.
#}

{#- Days after the start a recovery is judged; also how far either side of a day a control org must have no
    campaign of its own. A campaign started fewer days than this before the as-of date is pending. -#}
{% macro campaign_recovery_days() -%}
    30
{%- endmacro %}

{#- The order of the health bands: Healthy 4, Neutral 3, At risk 2, Critical 1, no score (no active provider) 0. -#}
{% macro campaign_band_rank(band) -%}
    case {{ band }}
        when 'Healthy' then 4
        when 'Neutral' then 3
        when 'At risk' then 2
        when 'Critical' then 1
        else 0
    end
{%- endmacro %}
