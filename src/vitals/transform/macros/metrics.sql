{#
    The metrics layer. Domain models (metrics_daily__<domain>) compute their whole history;
    metrics_daily appends what changed: on an incremental build it recomputes only the days from
    the first affected day (see metrics_affected_from) and keeps the rest.
#}

{#-
    The first metric date a domain model must compute. Domain models keep their whole history,
    so this is a date before any data unless the var `metrics_from` ('YYYY-MM-DD') narrows it.
-#}
{% macro metrics_from_date() -%}
    {%- set value = var('metrics_from', none) -%}
    {%- if value is none or value == '' -%}
        cast('1900-01-01' as date)
    {%- else -%}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}

{#-
    What metrics_daily tracks to find the first day an incremental build must recompute. Keyed raw sources:
    (state row name, raw table, key column, key kind, business time column); whole sources, whose any change
    recomputes every day: (state row name, staging model whose `loaded_at` text marks what landed).
-#}
{% macro metrics_keyed_sources(model='metrics_daily') -%}
    {{ return([
        (model ~ '@events_big', source('app', 'events_big'), 'event_id', 'id', 'occurred_at'),
        (model ~ '@sentry_errors_big', source('sentry', 'sentry_errors_big'), 'event_id', 'id', 'created_at'),
        (model ~ '@stripe_billing_big', source('stripe', 'stripe_billing_big'), 'invoice_id', 'text', 'period_start'),
        (model ~ '@nps_responses', source('nps', 'nps_responses'), 'response_id', 'id', 'responded_at'),
    ]) }}
{%- endmacro %}

{% macro metrics_whole_sources(model='metrics_daily') -%}
    {%- set stripe_objects = vitals.stripe_raw_or_empty(source('stripe_raw', 'stripe_objects'), ['_loaded_at']) -%}
    {%- set stripe_items = vitals.stripe_raw_or_empty(
        source('stripe_raw', 'stripe_subscription_items'), ['_loaded_at']
    ) -%}
    {{ return([
        (model ~ '@stripe_objects', '(' ~ stripe_objects ~ ') as stripe_objects'),
        (model ~ '@stripe_subscription_items', '(' ~ stripe_items ~ ') as stripe_items'),
        (model ~ '@currency_rates', source('reference', 'currency_rates')),
    ]) }}
{%- endmacro %}

{#- The read marks of metrics_daily (or of the daily model `model`): one per tracked source. -#}
{% macro metrics_marks(model='metrics_daily') -%}
    {%- set marks = [] -%}
    {%- for name, relation, key, kind, column in vitals.metrics_keyed_sources(model) -%}
        {%- do marks.append((name, relation)) -%}
    {%- endfor -%}
    {{ return(marks + vitals.metrics_whole_sources(model)) }}
{%- endmacro %}

{#-
    On an incremental build of metrics_daily: the first day whose metrics can have changed since the previous
    build, as a SQL date expression, read before this build changes the table. A day changes when:
      - a raw row landed since then (or a row already there now changed the winner of its id) is dated on it:
        every raw copy of each changed id counts, so a state that moved an invoice's period counts both periods;
      - a summarization job touched by such an event or Sentry error, or by a row that became visible since the
        previous as-of time, was created on it (a job completes or fails any time after its start);
      - it is the previous build's day less the job timeout (jobs that timed out since) or any day after;
      - a provider whose provider_created event changed was seen on it (the role applies to all its days);
    and every day when a whole source (Stripe objects, subscription items, currency rates) changed.
    Trailing windows follow: every day from the first affected one on is recomputed.
    `model` names the marks read (metrics_daily's, or a daily domain model's own) and the state row that holds
    the previous build's as-of time.
-#}
{% macro metrics_affected_from(model='metrics_daily') -%}
    {%- set previous_as_of = vitals._state_value('as_of', model ~ '@events_big') -%}
    {%- set timeout = vitals.job_timeout_minutes() | int -%}
    (
        with changed_errors as (
            -- Sentry errors landed or made visible since the previous build (a job they match may be old)
            select
                errors.tag_request_id,
                errors.tag_note_id
            from {{ ref('stg_sentry__errors') }} as errors
            where
                errors.created_at > {{ previous_as_of }}
                or errors.error_id in (
                    select {{ vitals.normalize_id('event_id') }} from {{ source('sentry', 'sentry_errors_big') }}
                    where {{ vitals.newly_loaded(model ~ '@sentry_errors_big') }}
                )
        )

        select min(affected_day) from (
            select {{ vitals.business_date(vitals.add_minutes(previous_as_of, -timeout)) }} as affected_day
            union all
            select {{ vitals.as_of_date() }} as affected_day
            {%- for name, relation, key, kind, column in vitals.metrics_keyed_sources(model) %}
            union all
            select {{ vitals.business_date('min(' ~ vitals.parse_utc_timestamp(vitals.clean_text(column)) ~ ')') }}
                as affected_day
            from {{ relation }}
            where {{ vitals._raw_key(key, kind) }} in (
                select {{ vitals._raw_key(key, kind) }} from {{ relation }} where {{ vitals.newly_loaded(name) }}
            )
            {%- endfor %}
            union all
            select {{ vitals.business_date('min(jobs.created_at)') }} as affected_day
            from {{ ref('summarization_jobs') }} as jobs
            where jobs.job_id in (
                select coalesce(events.note_id, events.request_id, events.event_id)
                from {{ ref('stg_app__events') }} as events
                where
                    events.occurred_at > {{ previous_as_of }}
                    or events.event_id in (
                        select {{ vitals.normalize_id('event_id') }} from {{ source('app', 'events_big') }}
                        where {{ vitals.newly_loaded(model ~ '@events_big') }}
                    )
            )
            union all
            select {{ vitals.business_date('min(jobs.created_at)') }} as affected_day
            from {{ ref('summarization_jobs') }} as jobs
            where
                jobs.request_id in (select changed_errors.tag_request_id from changed_errors)
                or jobs.note_id in (select changed_errors.tag_note_id from changed_errors)
            union all
            -- a provider whose role event (provider_created) changed: its role counts on every day it was seen
            select {{ vitals.business_date('min(providers.first_seen_at)') }} as affected_day
            from {{ ref('providers') }} as providers
            where providers.provider_id in (
                {{ vitals.changed_event_ids(model ~ '@events_big', 'provider_id', 'provider_created') }}
            )
            {%- for name, relation in vitals.metrics_whole_sources(model) %}
            union all
            select cast('1900-01-01' as date) as affected_day
            where exists (select 1 from {{ relation }} where {{ vitals.newly_loaded(name) }})
            {%- endfor %}
        ) as affected
    )
{%- endmacro %}

{#-
    Daily domain models (metrics_daily__<domain>) at (entity, day) grain are incremental too, by the same rule
    as metrics_daily with marks of their own: an incremental build deletes the days from the first affected one
    on (pre-hook, before any mark moves) and appends them recomputed; every earlier day is kept. A domain model
    takes `{{ config(**vitals.metrics_domain_config()) }}` and bounds its day spine by metrics_domain_from().
-#}
{% macro metrics_domain_config() -%}
    {%- set incremental = vitals.builds_incrementally() -%}
    {{ return({
        'materialized': 'incremental' if incremental else 'table',
        'incremental_strategy': 'append' if incremental else none,
        'pre_hook': [
            "{{ vitals.marks_pre_hook(vitals.metrics_marks(this.identifier)) }}",
            "{{ vitals.metrics_affected_from_store_sql(this.identifier) }}",
            "{{ vitals.metrics_domain_clear_sql() }}",
        ],
        'post_hook': "{{ vitals.marks_post_hook(vitals.metrics_marks(this.identifier)) }}",
    }) }}
{%- endmacro %}

{#-
    What an incremental build of metrics_daily or of a daily domain model reads beyond its own SQL (its first
    affected day and its marks), declared so dbt orders and parses the model with them.
-#}
{% macro metrics_affected_from_depends_on() -%}
-- depends_on: {{ ref('stg_app__events') }}
-- depends_on: {{ ref('providers') }}
-- depends_on: {{ ref('stg_sentry__errors') }}
-- depends_on: {{ ref('summarization_jobs') }}
-- depends_on: {{ source('stripe_raw', 'stripe_objects') }}
-- depends_on: {{ source('stripe_raw', 'stripe_subscription_items') }}
-- depends_on: {{ source('reference', 'currency_rates') }}
-- depends_on: {{ source('app', 'events_big') }}
-- depends_on: {{ source('sentry', 'sentry_errors_big') }}
-- depends_on: {{ source('stripe', 'stripe_billing_big') }}
-- depends_on: {{ source('nps', 'nps_responses') }}
{%- endmacro %}

{#-
    The domains whose daily models (metrics_daily__sales, metrics_daily__marketing, metrics_daily__support) are
    rebuilt whole at every build from the small optional CRM, marketing and help-desk sources: metrics_daily
    replaces their rows whole instead of tracking the days a change affects (so their sources hold no read mark,
    and a CRM change or a ticket's new version, which can move any day since the ticket was opened, never
    recomputes the event-based days of the other domains).
-#}
{% macro metrics_whole_domains() -%}
    {{ return(['sales', 'marketing', 'support']) }}
{%- endmacro %}

{#- The pre-hook that removes the rows of the whole-rebuilt domains before an incremental build appends them. -#}
{% macro metrics_whole_domains_clear_sql() -%}
    {%- if vitals.is_incremental_build() -%}
        delete from {{ this }} where domain in ({{ vitals._sql_text_list(vitals.metrics_whole_domains()) }})
    {%- else -%}
        select 1 as nothing_to_clear
    {%- endif -%}
{%- endmacro %}

{#- The first day a daily domain model computes: its first affected day on an incremental build. -#}
{% macro metrics_domain_from() -%}
    {%- if vitals.is_incremental_build() -%}
        {{ vitals.metrics_stored_affected_from(this.identifier) }}
    {%- else -%}
        {{ vitals.metrics_from_date() }}
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook that removes the days an incremental build of a daily domain model recomputes. -#}
{% macro metrics_domain_clear_sql() -%}
    {%- if vitals.is_incremental_build() -%}
        delete from {{ this }} where metric_date >= {{ vitals.metrics_stored_affected_from(this.identifier) }}
    {%- else -%}
        select 1 as nothing_to_clear
    {%- endif -%}
{%- endmacro %}

{#-
    The first affected day is worked out once per model and build, before the model runs (it scans what
    landed since the marks, so it is not free): a pre-hook stores it in the model's state row (after the read
    marks are fixed), and the model's SQL reads the stored day.
-#}
{% macro metrics_affected_from_store_sql(model='metrics_daily') -%}
    {%- if vitals.is_incremental_build() -%}
        update {{ vitals.build_state_relation() }}
        set affected_from = {{ vitals.metrics_affected_from(model) }}
        where model_name = '{{ model }}@events_big'
    {%- else -%}
        select 1 as nothing_to_store
    {%- endif -%}
{%- endmacro %}

{% macro metrics_stored_affected_from(model='metrics_daily') -%}
    (select affected_from from {{ vitals.build_state_relation() }} where model_name = '{{ model }}@events_big')
{%- endmacro %}
