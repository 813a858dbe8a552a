{#-
    Product metrics of SPEC §6.3 in long form, global and per org, for every day from the first
    event day to the as-of date: DAU/WAU/MAU, stickiness, feature adoption, power users.
-#}

with

{{ vitals.marts_product_ctes() }},

final as (
    {{ vitals.marts_unpivot('product_wide', vitals.marts_product_metrics()) }}
)

select * from final
