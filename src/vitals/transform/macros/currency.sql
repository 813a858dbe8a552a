{#
    Currency helpers for the revenue models (portable SQL). Amounts are integers in a currency's minor
    unit, as Stripe sends them: cents for USD and EUR, yen for JPY (zero-decimal), fils for KWD (three).
#}

{#- The ISO 4217 exponent Stripe uses for a currency code (uppercase): 0, 2 or 3. -#}
{% macro currency_exponent(code) -%}
    case
        when {{ code }} in (
            'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF',
            'XOF', 'XPF'
        ) then 0
        when {{ code }} in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 3
        else 2
    end
{%- endmacro %}

{#- The reporting currency (var reporting_currency, uppercase) as a SQL literal. -#}
{% macro reporting_currency() -%}
    '{{ var("reporting_currency", "USD") | upper }}'
{%- endmacro %}

{#-
    A factor turning an amount in `currency`'s minor unit into the reporting currency's minor unit, given
    `rate` (reporting units per one unit of `currency`): rate x 10^(reporting exponent - currency exponent).
    The reporting currency itself (and a missing currency) converts at 1; an unknown rate gives null.
-#}
{% macro to_reporting_factor(currency, rate) -%}
    case
        when {{ currency }} is null or {{ currency }} = {{ vitals.reporting_currency() }}
            then cast(1 as {{ vitals.type_double() }})
        else cast({{ rate }} as {{ vitals.type_double() }})
            * power(10.0, {{ vitals.currency_exponent(vitals.reporting_currency()) }}
                - {{ vitals.currency_exponent(currency) }})
    end
{%- endmacro %}

{#-
    An amount in `currency`'s minor unit in the reporting currency's minor unit at `rate` (see
    to_reporting_factor), rounded halves away from zero; null when the currency has no rate.
-#}
{% macro to_reporting_cents(amount, currency, rate) -%}
    {{ vitals.round_half_away('(' ~ amount ~ ') * ' ~ vitals.to_reporting_factor(currency, rate)) }}
{%- endmacro %}

{#- A non-negative or negative amount rounded to a whole number, halves away from zero, as bigint. -#}
{% macro round_half_away(expr) -%}
    cast(sign({{ expr }}) * floor(abs({{ expr }}) + 0.5) as {{ dbt.type_bigint() }})
{%- endmacro %}
