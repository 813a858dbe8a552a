{#-
    One row per optional domain source (SPEC 2.6): connected once staging keeps at least one of its
    rows at the as-of time. Metrics that need a source that is not connected report "source not
    connected" (the API, `vitals metrics show`, the alert engine) instead of a number. The times are
    each source's own: responded_at, updated_at (deal, lead and ticket versions, a campaign's newest version),
    occurred_at, the quota month and the spend day.
-#}

with

nps as (
    select
        'nps_responses' as source_name,
        count(*) as rows_kept,
        min(responded_at) as first_at,
        max(responded_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_nps__responses') }}
),

crm_deals as (
    select
        'crm_deals' as source_name,
        count(*) as rows_kept,
        min(updated_at) as first_at,
        max(updated_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_crm__deal_versions') }}
),

crm_activities as (
    select
        'crm_activities' as source_name,
        count(*) as rows_kept,
        min(occurred_at) as first_at,
        max(occurred_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_crm__activities') }}
),

crm_quotas as (
    select
        'crm_quotas' as source_name,
        count(*) as rows_kept,
        cast(min(month_start) as {{ dbt.type_timestamp() }}) as first_at,
        cast(max(month_start) as {{ dbt.type_timestamp() }}) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_crm__quotas') }}
),

marketing_spend as (
    select
        'marketing_spend' as source_name,
        count(*) as rows_kept,
        cast(min(spend_date) as {{ dbt.type_timestamp() }}) as first_at,
        cast(max(spend_date) as {{ dbt.type_timestamp() }}) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_marketing__spend') }}
),

marketing_leads as (
    select
        'marketing_leads' as source_name,
        count(*) as rows_kept,
        min(updated_at) as first_at,
        max(updated_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_marketing__leads') }}
),

support_tickets as (
    select
        'support_tickets' as source_name,
        count(*) as rows_kept,
        min(updated_at) as first_at,
        max(updated_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_support__ticket_versions') }}
),

retention_campaigns as (
    select
        'retention_campaigns' as source_name,
        count(*) as rows_kept,
        min(updated_at) as first_at,
        max(updated_at) as newest_at,
        max(loaded_at) as loaded_through
    from {{ ref('stg_campaigns__retention_campaigns') }}
),

sources as (
    select * from nps
    union all
    select * from crm_deals
    union all
    select * from crm_activities
    union all
    select * from crm_quotas
    union all
    select * from marketing_spend
    union all
    select * from marketing_leads
    union all
    select * from support_tickets
    union all
    select * from retention_campaigns
),

final as (
    select
        source_name,
        rows_kept > 0 as connected,
        rows_kept,
        first_at,
        newest_at,
        loaded_through
    from sources
)

select * from final
