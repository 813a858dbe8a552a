{#
    Net Promoter Score (SPEC 2.5, seed 003): promoters answer 9-10, passives 7-8, detractors 0-6;
    NPS = 100 x (promoters - detractors) / responses over the trailing window, -100 to 100. Computed once,
    in int_nps_daily; the wide mart (org rows) and the long form (global and org rows) select from it.
#}

{#- Days of the trailing NPS window (the day and the 89 before it): a practice answers a few surveys a month. -#}
{% macro nps_window_days() -%}
    90
{%- endmacro %}
