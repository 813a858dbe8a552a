{#
    Incremental builds of the keyed staging models (events, Sentry errors, invoices).

    On an incremental build such a model recomputes only the ids whose raw rows may have changed, and it reads
    every raw copy of those ids again, so the dedupe rules stay exact (a late duplicate still loses to the first
    copy; a later invoice state still wins). The ids are:
      - the ids of raw rows landed since the model's last build: `_loaded_at` is UTC text of one fixed width
        (vitals.ingest.landing.utc_now_text), so it compares as text, with no parse;
      - the ids that had a copy dated after the last build's as-of time ("pending": it may be visible now).

    Bookkeeping, in the target schema (created before any model runs):
      vitals_build_state    one row per model: the `_loaded_at` it has read through, the as-of time and the
                            fingerprint of its last build (and for the daily metric models, the first day
                            the running build recomputes). vitals.warehouse.dbt reads it to decide a full
                            refresh (as-of moved back, models or settings changed).
      vitals_pending_keys   per model, the ids with a copy dated after its last as-of time.

    A build reads through the newest `_loaded_at` present when it starts (pre-hook), recomputes the ids of the
    rows up to there (the model), then records the pending ids and moves the mark (post-hooks). Spark
    rebuilds these models whole.
#}

{% macro build_state_relation() -%}
    {{ target.schema }}.vitals_build_state
{%- endmacro %}

{% macro pending_keys_relation() -%}
    {{ target.schema }}.vitals_pending_keys
{%- endmacro %}

{#- True where the keyed models build incrementally (DuckDB, PostgreSQL). -#}
{% macro builds_incrementally() -%}
    {{ return(target.type != 'spark') }}
{%- endmacro %}

{#- True while the model at hand builds incrementally here: its table exists and this is no full refresh. -#}
{% macro is_incremental_build() -%}
    {{ return(vitals.builds_incrementally() and this is not none and is_incremental()) }}
{%- endmacro %}

{#- The materialization of a keyed staging model on this engine. -#}
{% macro keyed_materialization() -%}
    {{ return('incremental' if vitals.builds_incrementally() else 'table') }}
{%- endmacro %}

{% macro create_incremental_bookkeeping() -%}
    {%- if vitals.builds_incrementally() -%}
        create table if not exists {{ vitals.build_state_relation() }} (
            model_name {{ dbt.type_string() }},
            loaded_through {{ dbt.type_string() }},
            next_loaded_through {{ dbt.type_string() }},
            as_of {{ dbt.type_timestamp() }},
            fingerprint {{ dbt.type_string() }},
            invocation_id {{ dbt.type_string() }},
            affected_from date
        );
        -- warehouses built before the column existed
        alter table {{ vitals.build_state_relation() }} add column if not exists affected_from date;
        create table if not exists {{ vitals.pending_keys_relation() }} (
            model_name {{ dbt.type_string() }},
            key_value {{ dbt.type_string() }},
            invocation_id {{ dbt.type_string() }}
        )
    {%- else -%}
        select 1 as nothing_to_create
    {%- endif -%}
{%- endmacro %}

{#- A raw column's id, normalized the way the staging model normalizes it ('id': lowercased; 'text': trimmed). -#}
{% macro _raw_key(column, key_kind) -%}
    {%- if key_kind == 'id' -%}
        {{ vitals.normalize_id(column) }}
    {%- else -%}
        {{ vitals.clean_text(column) }}
    {%- endif -%}
{%- endmacro %}

{#- The state row's column for this model, as a scalar subquery. -#}
{#- The name a model's state row goes by (a model may keep several marks: `name` tells them apart). -#}
{% macro _state_name(name=none) -%}
    {{ this.identifier if name is none else name }}
{%- endmacro %}

{#- The state row's column, as a scalar subquery. -#}
{% macro _state_value(column, name=none) -%}
    (select {{ column }} from {{ vitals.build_state_relation() }} where model_name = '{{ vitals._state_name(name) }}')
{%- endmacro %}

{#-
    The ids whose raw rows may have changed since this model's last build: those of rows landed after its
    mark up to the newest `_loaded_at` present when this build started, and the pending ones.
-#}
{% macro _changed_keys(source_relation, key_column, key_kind, name=none) -%}
    {%- set key = vitals._raw_key(key_column, key_kind) -%}
    select {{ key }} as key_value
    from {{ source_relation }}
    where {{ vitals.newly_loaded(name) }}
    union all
    select key_value
    from {{ vitals.pending_keys_relation() }}
    where
        model_name = '{{ vitals._state_name(name) }}'
        and invocation_id <> '{{ invocation_id }}'
{%- endmacro %}

{#- Raw rows landed after the mark of state row `name` and up to where this build reads. -#}
{% macro newly_loaded(name=none, column='_loaded_at') -%}
    (
        {{ column }} > coalesce({{ vitals._state_value('loaded_through', name) }}, '')
        and {{ column }} <= {{ vitals._state_value('next_loaded_through', name) }}
    )
{%- endmacro %}

{#-
    The filter a keyed staging model puts on its raw source: on an incremental build, only the changed ids
    (every copy of each); otherwise every row.
-#}
{% macro changed_rows_filter(source_relation, key_column, key_kind='id') -%}
    {%- if vitals.is_incremental_build() -%}
        {{ vitals._raw_key(key_column, key_kind) }} in (
            {{ vitals._changed_keys(source_relation, key_column, key_kind) }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- On an incremental build, restrict `expression` to the keys `ids_query` returns; otherwise keep every row. -#}
{% macro recompute_only(expression, ids_query) -%}
    {%- if vitals.is_incremental_build() -%}
        {{ expression }} in ({{ ids_query }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#-
    The hooks of a keyed staging model, each one statement rendered when it runs (so the invocation id and the
    as-of time are this build's). Before the model: make sure it has a state row, then fix how far this build
    reads. After it: the ids read now that still have a copy dated after the as-of time become the pending ids,
    and the state moves to what this build read. Use them as
        pre_hook=["{{ vitals.state_row_sql() }}", "{{ vitals.read_mark_sql(source(...)) }}"],
        post_hook=["{{ vitals.pending_insert_sql(source(...), 'event_id', 'occurred_at') }}",
                   "{{ vitals.pending_prune_sql() }}", "{{ vitals.state_advance_sql() }}"]
-#}
{% macro state_row_sql(name=none) -%}
    {%- if vitals.builds_incrementally() -%}
        insert into {{ vitals.build_state_relation() }} (model_name)
        select '{{ vitals._state_name(name) }}'
        where not exists (
            select 1 from {{ vitals.build_state_relation() }} where model_name = '{{ vitals._state_name(name) }}'
        )
    {%- else -%}
        select 1 as no_state
    {%- endif -%}
{%- endmacro %}

{% macro read_mark_sql(source_relation, name=none, column='_loaded_at') -%}
    {%- if vitals.builds_incrementally() -%}
        update {{ vitals.build_state_relation() }}
        set next_loaded_through = (select max({{ column }}) from {{ source_relation }})
        where model_name = '{{ vitals._state_name(name) }}'
    {%- else -%}
        select 1 as no_state
    {%- endif -%}
{%- endmacro %}

{% macro pending_insert_sql(source_relation, key_column, time_column, key_kind='id') -%}
    {%- if vitals.builds_incrementally() -%}
        {%- set key = vitals._raw_key(key_column, key_kind) -%}
        {%- set everything = flags.FULL_REFRESH or not vitals._state_exists() -%}
        insert into {{ vitals.pending_keys_relation() }} (model_name, key_value, invocation_id)
        with read_rows as materialized (
            -- the rows read now, kept apart first: only their times are parsed, not every raw row's
            select
                {{ key }} as key_value,
                {{ time_column }} as dated
            from {{ source_relation }}
            {%- if not everything %}
            where {{ key }} in ({{ vitals._changed_keys(source_relation, key_column, key_kind) }})
            {%- endif %}
        )

        select distinct
            '{{ this.identifier }}',
            read_rows.key_value,
            '{{ invocation_id }}'
        from read_rows
        where
            read_rows.key_value is not null
            and {{ vitals.parse_utc_timestamp(vitals.clean_text('read_rows.dated')) }} > {{ vitals.as_of() }}
    {%- else -%}
        select 1 as no_state
    {%- endif -%}
{%- endmacro %}

{% macro pending_prune_sql() -%}
    {%- if vitals.builds_incrementally() -%}
        delete from {{ vitals.pending_keys_relation() }}
        where model_name = '{{ this.identifier }}' and invocation_id <> '{{ invocation_id }}'
    {%- else -%}
        select 1 as no_state
    {%- endif -%}
{%- endmacro %}

{% macro state_advance_sql(name=none) -%}
    {%- if vitals.builds_incrementally() -%}
        update {{ vitals.build_state_relation() }}
        set
            loaded_through = next_loaded_through,
            as_of = {{ vitals.as_of() }},
            fingerprint = '{{ var('build_fingerprint', '') }}',
            invocation_id = '{{ invocation_id }}'
        where model_name = '{{ vitals._state_name(name) }}'
    {%- else -%}
        select 1 as no_state
    {%- endif -%}
{%- endmacro %}

{#-
    Hooks of a model that keeps several read marks, one per source it tracks (`marks`: (state row name,
    relation) pairs), as one hook each: before it, a state row and a read mark per source; after it, the marks
    moved to what this build read.
-#}
{% macro marks_pre_hook(marks) -%}
    {%- if not vitals.builds_incrementally() -%}
        {{ return('select 1 as no_state') }}
    {%- endif -%}
    {%- set hooks = [] -%}
    {%- for name, relation in marks -%}
        {%- do hooks.append(vitals.state_row_sql(name)) -%}
        {%- do hooks.append(vitals.read_mark_sql(relation, name)) -%}
    {%- endfor -%}
    {{ return(hooks | join(';\n')) }}
{%- endmacro %}

{% macro marks_post_hook(marks) -%}
    {%- if not vitals.builds_incrementally() -%}
        {{ return('select 1 as no_state') }}
    {%- endif -%}
    {%- set hooks = [] -%}
    {%- for name, relation in marks -%}
        {%- do hooks.append(vitals.state_advance_sql(name)) -%}
    {%- endfor -%}
    {{ return(hooks | join(';\n')) }}
{%- endmacro %}

{#-
    The values of a raw events column (normalized as an id) over every raw copy of the events that may have
    changed since the mark `name`: those landed since, and those the staged model shows dated after the mark's
    as-of time (they may have become visible, or won, since). Every copy counts, so an entity that lost an
    event to a later-arriving copy is recomputed too. `event_name` keeps only the copies of that canonical event.
-#}
{% macro changed_event_ids(name, column, event_name=none) -%}
    {%- set key = vitals.normalize_id('event_id') -%}
    select {{ vitals.normalize_id(column) }} as changed_id
    from {{ source('app', 'events_big') }}
    where
    {%- if event_name is not none %}
        {{ vitals.canonical_event_name('lower(trim(event_name))') }} = '{{ event_name }}' and
    {%- endif %}
        {{ key }} in (
        select {{ key }} from {{ source('app', 'events_big') }} where {{ vitals.newly_loaded(name) }}
        union all
        select event_id from {{ ref('stg_app__events') }}
        where occurred_at > {{ vitals._state_value('as_of', name) }}
    )
{%- endmacro %}

{#-
    A pre-hook of a model whose rows can disappear (an entity whose every event moved to another): before an
    incremental build, delete the rows of the ids it recomputes, so that an id with no rows left goes too.
-#}
{% macro delete_recomputed_sql(key_column, ids_query) -%}
    {%- if vitals.builds_incrementally() and is_incremental() -%}
        delete from {{ this }} where {{ key_column }} in ({{ ids_query }})
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- Whether this model's state row records a finished build (else the post-hook treats every id as read). -#}
{% macro _state_exists() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from " ~ vitals.build_state_relation()
        ~ " where model_name = '" ~ this.identifier ~ "' and loaded_through is not null"
    ) -%}
    {{ return(found.columns[0].values()[0] | int > 0) }}
{%- endmacro %}
