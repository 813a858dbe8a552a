{#
    Customer-success marts (SPEC 6.5): the health score configuration, its bands and the sentence
    that explains a week-over-week move. The configuration is read from dbt vars. The weights
    (var health_weights, all five components) are owned by vitals.config.HealthSettings, which
    validates them and always passes them (dbt_project.yml mirrors its defaults for a plain dbt run);
    they are used here as given. The other sections have the defaults below; a var may override only
    some of their keys (the rest keep their defaults).
#}

{#-
    The health score configuration: weights, normalizers, bands, churn-risk thresholds and the churn-risk
    score's factor weights (var churn_risk_weights, owned by vitals.config.ChurnRiskSettings) with their points.
-#}
{% macro cs_config() -%}
    {%- set defaults = {
        'health_normalizers': {
            'notes_7d': 10,
            'notes_per_doctor': 3,
            'error_rate': 0.01,
            'turnaround_p50_good_sec': 600,
            'turnaround_p50_zero_sec': 1200,
            'summarize_p50_good_sec': 60,
            'summarize_p50_zero_sec': 120,
        },
        'health_bands': {'healthy': 80, 'neutral': 60, 'at_risk': 40},
        'churn_risk': {
            'wap_decline': 0.20,
            'health_drop_points': 10,
            'health_drop_days': 30,
            'review_share': 0.50,
            'error_rate': 0.05,
            'min_jobs': 10,
            'seat_utilization': 0.50,
            'expansion_utilization': 0.90,
            'health_trend_points': 10,
            'support_tickets_30d': 5,
            'inactive_days': 14,
            'feature_adoption': 0.30,
            'activation': 0.50,
            'band_high': 70,
            'band_medium': 40,
        },
        'churn_risk_weights': {
            'declining_health': 25,
            'high_support_volume': 15,
            'low_engagement': 20,
            'low_feature_adoption': 10,
            'low_activation': 10,
            'payment_trouble': 20,
        },
    } -%}
    {%- set config = {} -%}
    {%- for section, values in defaults.items() -%}
        {%- set merged = {} -%}
        {%- do merged.update(values) -%}
        {%- do merged.update(var(section, {}) or {}) -%}
        {%- for key, value in merged.items() -%}
            {%- if value is none or value is string or value < 0 -%}
                {{ exceptions.raise_compiler_error("var '" ~ section ~ "." ~ key ~ "' must be a number >= 0") }}
            {%- endif -%}
        {%- endfor -%}
        {%- do config.update({section: merged}) -%}
    {%- endfor -%}
    {%- set weights = var('health_weights') -%}
    {%- set total = weights.values() | sum -%}
    {%- do config.update({'health_weights': weights}) -%}
    {%- set n = config['health_normalizers'] -%}
    {%- if n['notes_7d'] <= 0 or n['notes_per_doctor'] <= 0 or n['error_rate'] <= 0
        or n['turnaround_p50_zero_sec'] <= n['turnaround_p50_good_sec']
        or n['summarize_p50_zero_sec'] <= n['summarize_p50_good_sec'] -%}
        {{ exceptions.raise_compiler_error(
            "var 'health_normalizers': notes_7d, notes_per_doctor and error_rate must be > 0 and each "
            ~ "*_zero_sec must be greater than its *_good_sec") }}
    {%- endif -%}
    {%- set risk = config['churn_risk'] -%}
    {%- if risk['band_medium'] > risk['band_high'] or (config['churn_risk_weights'].values() | sum) <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "var 'churn_risk': band_medium must not exceed band_high, and var 'churn_risk_weights' must have a "
            ~ "positive sum") }}
    {%- endif -%}
    {#- points of each churn-risk score factor when it fires: 100 x weight / sum of weights -#}
    {%- set risk_total = config['churn_risk_weights'].values() | sum -%}
    {%- set risk_points = {} -%}
    {%- for key, value in config['churn_risk_weights'].items() -%}
        {%- do risk_points.update({key: ((100.0 * value / risk_total) | round(10))}) -%}
    {%- endfor -%}
    {%- do config.update({'churn_risk_points': risk_points}) -%}
    {#- points of each component at full marks: 100 x weight / sum of weights -#}
    {%- set points = {} -%}
    {%- for key, value in weights.items() -%}
        {%- do points.update({key: ((100.0 * value / total) | round(10))}) -%}
    {%- endfor -%}
    {%- do config.update({'points': points}) -%}
    {{ return(config) }}
{%- endmacro %}

{#- The five components in their fixed order (ties in the move sentence follow it). -#}
{% macro cs_components() -%}
    {{ return(['engagement', 'quality', 'depth', 'reliability', 'latency']) }}
{%- endmacro %}

{#- The band of a health score: Healthy >= 80, Neutral 60-79, At risk 40-59, Critical < 40. -#}
{% macro cs_band(score) -%}
    {%- set bands = vitals.cs_config()['health_bands'] -%}
    case
        when {{ score }} is null then null
        when {{ score }} >= {{ bands['healthy'] }} then 'Healthy'
        when {{ score }} >= {{ bands['neutral'] }} then 'Neutral'
        when {{ score }} >= {{ bands['at_risk'] }} then 'At risk'
        else 'Critical'
    end
{%- endmacro %}

{#- A score rounded to 6 decimals (float noise must not move a score across a band boundary). -#}
{% macro cs_round6(expr) -%}
    (cast(floor(({{ expr }}) * 1000000.0 + 0.5) as {{ vitals.type_double() }}) / 1000000.0)
{%- endmacro %}

{#- A number rounded to a whole number, halves away from zero, as text ('-9', '14'). -#}
{% macro cs_whole_text(expr) -%}
    cast(cast(sign({{ expr }}) * floor(abs({{ expr }}) + 0.5) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- The signed whole number of points of a move: '+8', '−19' (U+2212), '0'. -#}
{% macro cs_signed_points(expr) -%}
    case
        when floor(abs({{ expr }}) + 0.5) = 0 then '0'
        when {{ expr }} > 0 then '+' || {{ vitals.cs_whole_text(expr) }}
        else '−' || {{ vitals.cs_whole_text('abs(' ~ expr ~ ')') }}
    end
{%- endmacro %}

{#-
    The sentence that explains a week-over-week move, e.g. 'down 14: engagement −9, reliability −5'.
    `score_change` is the change of the score; `prefix` the column prefix of the changes of the
    components' points (`<prefix><component>_points_change_7d`). It names at most `top` components whose
    points moved by at least half a point (so the whole number shown is not 0), largest move first
    (ties in the fixed component order). Null when there is no change (no score 7 days earlier).
-#}
{% macro cs_move_sentence(score_change, prefix='', top=3) -%}
    {%- set components = vitals.cs_components() -%}
    {%- set change = {} -%}
    {%- for c in components -%}
        {%- do change.update({c: prefix ~ 'health_' ~ c ~ '_points_change_7d'}) -%}
    {%- endfor -%}
    {#- rank of each component: 1 + those that moved more (or as much, earlier in the order) -#}
    {%- set rank = {} -%}
    {%- for c in components -%}
        {%- set terms = [] -%}
        {%- for o in components if o != c -%}
            {%- if components.index(o) < components.index(c) -%}
                {%- do terms.append('case when abs(' ~ change[o] ~ ') >= abs(' ~ change[c] ~ ') then 1 else 0 end') -%}
            {%- else -%}
                {%- do terms.append('case when abs(' ~ change[o] ~ ') > abs(' ~ change[c] ~ ') then 1 else 0 end') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do rank.update({c: '(1 + ' ~ (terms | join(' + ')) ~ ')'}) -%}
    {%- endfor -%}
    case
        when {{ score_change }} is null then null
        else
            (case
                when floor(abs({{ score_change }}) + 0.5) = 0 then 'unchanged'
                when {{ score_change }} > 0 then 'up ' || {{ vitals.cs_whole_text('abs(' ~ score_change ~ ')') }}
                else 'down ' || {{ vitals.cs_whole_text('abs(' ~ score_change ~ ')') }}
            end)
            {%- for k in range(1, top + 1) %}
            || (case
                {%- for c in components %}
                when {{ rank[c] }} = {{ k }} and floor(abs({{ change[c] }}) + 0.5) > 0
                    then '{{ ": " if k == 1 else ", " }}{{ c }} ' || {{ vitals.cs_signed_points(change[c]) }}
                {%- endfor %}
                else ''
            end)
            {%- endfor %}
    end
{%- endmacro %}
