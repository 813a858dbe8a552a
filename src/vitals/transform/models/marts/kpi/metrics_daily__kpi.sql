{#-
    The KPIs of SPEC §6.2 (all but MRR, which is revenue's) in long form, global and per org,
    for every day from the first event day to the as-of date.
-#}

with

{{ vitals.marts_kpi_ctes() }},

final as (
    {{ vitals.marts_unpivot('kpi_wide', vitals.marts_kpi_metrics()) }}
)

select * from final
