{{
    config(
        indexes=[
            {'columns': ['org_id', 'session_id'], 'unique': true},
        ],
    )
}}

{#- has_success, has_error and duration_sec of every session: macros/sessions.sql. -#}

with

sessions as (
    select * from {{ ref('int_sessions_aggregated') }}
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

final as (
    {{ vitals.session_outcomes_sql('sessions', 'jobs', 'errors') }}
)

select * from final
