{#
    Sales and marketing (SPEC 6.8, seed 001): the settings the models read and the windows they use. The
    settings (var sales: stalled_days, stage_probabilities, forecast_categories) are owned by
    vitals.config.SalesSettings, which validates them and always passes them (dbt_project.yml mirrors its
    defaults for a plain dbt run); they are used here as given. Stage names are compared trimmed and lowercased,
    as staging keeps them.
#}

{% macro sales_config() -%}
    {{ return(var('sales')) }}
{%- endmacro %}

{#- An open deal with no stage change and no activity for this many days is stalled (sales.stalled_days). -#}
{% macro sales_stalled_days() -%}
    {{ vitals.sales_config()['stalled_days'] | int }}
{%- endmacro %}

{#- The probability (0..1) of an open deal's stage (sales.stage_probabilities); a stage not listed weighs 0. -#}
{% macro sales_stage_probability(stage) -%}
    {%- set probabilities = vitals.sales_config().get('stage_probabilities') or {} -%}
    {%- if probabilities -%}
        case {{ stage }}
            {%- for name, probability in probabilities.items() %}
            when '{{ name | lower | trim | replace("'", "''") }}' then cast({{ probability | float }} as {{ vitals.type_double() }})
            {%- endfor %}
            else cast(0 as {{ vitals.type_double() }})
        end
    {%- else -%}
        cast(0 as {{ vitals.type_double() }})
    {%- endif -%}
{%- endmacro %}

{#- The forecast category of an open deal's stage (sales.forecast_categories): commit, best_case, else pipeline. -#}
{% macro sales_forecast_category(stage) -%}
    {%- set categories = vitals.sales_config().get('forecast_categories') or {} -%}
    {%- if categories -%}
        case {{ stage }}
            {%- for name, category in categories.items() %}
            when '{{ name | lower | trim | replace("'", "''") }}' then '{{ category }}'
            {%- endfor %}
            else 'pipeline'
        end
    {%- else -%}
        'pipeline'
    {%- endif -%}
{%- endmacro %}

{#- Days of the trailing sales window (the day and the 89 before it): win rate, deal size, sales cycle. -#}
{% macro sales_window_days() -%}
    90
{%- endmacro %}

{#- Days of the trailing marketing window (the day and the 29 before it): cost per lead and per MQL. -#}
{% macro marketing_window_days() -%}
    30
{%- endmacro %}

{#- The daily sales metrics int_sales_daily holds for the global entity and, the first ones, for orgs. -#}
{% macro sales_org_metrics() -%}
    {{ return([
        'sales_open_deals', 'sales_pipeline_cents', 'sales_weighted_pipeline_cents', 'sales_stalled_deals',
        'sales_deals_created', 'sales_pipeline_created_cents', 'sales_deals_won', 'sales_deals_lost',
        'sales_won_amount_cents', 'sales_activities',
    ]) }}
{%- endmacro %}

{% macro sales_global_metrics() -%}
    {{ return(vitals.sales_org_metrics() + [
        'sales_expansion_pipeline_cents', 'sales_pipeline_coverage', 'sales_quota_attainment_mtd',
        'sales_win_rate_90d', 'sales_win_rate_amount_90d', 'sales_average_deal_size_90d_cents',
        'sales_median_deal_size_90d_cents', 'sales_cycle_days_90d',
    ]) }}
{%- endmacro %}

{#- The daily marketing metrics int_marketing_daily holds (global). -#}
{% macro marketing_daily_metrics() -%}
    {{ return([
        'marketing_leads', 'marketing_mqls', 'marketing_sqls', 'marketing_spend_cents',
        'marketing_cost_per_lead_30d_cents', 'marketing_cost_per_mql_30d_cents',
    ]) }}
{%- endmacro %}
