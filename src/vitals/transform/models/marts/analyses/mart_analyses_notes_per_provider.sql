{#-
    Seed 000 "average notes per provider per org": per org, over its providers with at least one
    successful job (whole history), the providers, their successful jobs (notes) and the average per
    provider.
-#}

with

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

provider_notes as (
    select
        org_id,
        provider_id,
        count(*) as notes_count
    from jobs
    where status = 'success' and provider_id is not null
    group by
        org_id,
        provider_id
),

org_averages as (
    select
        org_id,
        count(*) as providers_with_notes,
        cast(sum(notes_count) as {{ dbt.type_bigint() }}) as total_notes,
        avg(cast(notes_count as {{ vitals.type_double() }})) as avg_notes_per_provider
    from provider_notes
    group by org_id
),

final as (
    select
        org_averages.org_id,
        organizations.org_name,
        org_averages.providers_with_notes,
        org_averages.total_notes,
        org_averages.avg_notes_per_provider
    from org_averages
    inner join organizations
        on org_averages.org_id = organizations.org_id
)

select * from final
