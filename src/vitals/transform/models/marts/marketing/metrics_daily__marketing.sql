{#-
    Marketing in long form (the metrics contract), global: leads, MQLs, SQLs and spend per business day and the
    trailing 30-day cost per lead and per MQL (int_marketing_daily), every day from the first lead or spend day
    to the as-of date; and the month's blended CAC, CAC payback months and LTV:CAC (mart_marketing_cac_monthly)
    dated on the month's last built day (a past month's last day; the as-of day for the current month, month to
    date), omitted where undefined. No marketing data loaded: no rows (the metrics report "source not
    connected"). Rebuilt whole at every build; metrics_daily replaces its marketing rows whole too.
-#}
{% set monthly = [
    ('marketing_cac_cents', 'cac_cents'),
    ('marketing_cac_payback_months', 'cac_payback_months'),
    ('marketing_ltv_to_cac', 'ltv_to_cac'),
] %}

with

marketing_wide as (
    select * from {{ ref('int_marketing_daily') }}
),

blended_months as (
    select * from {{ ref('mart_marketing_cac_monthly') }}
    where channel = 'all' and last_day >= {{ vitals.metrics_from_date() }}
),

final as (
    {{ vitals.marts_unpivot('marketing_wide', vitals.marketing_daily_metrics()) }}
    {%- for metric, column in monthly %}
        union all
        select
            last_day as metric_date,
            '{{ metric }}' as metric_name,
            'global' as entity_type,
            'global' as entity_id,
            cast({{ column }} as {{ vitals.type_double() }}) as value
        from blended_months
        where {{ column }} is not null
    {%- endfor %}
)

select * from final
