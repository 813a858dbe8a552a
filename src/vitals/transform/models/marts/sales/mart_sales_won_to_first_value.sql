{#-
    Closed-won to first value, per org with a won deal: its first won deal (by close time), the first successful
    summarization of the org completed at or after that close, and the days between them (elapsed time, as
    product's time to first value); none yet while the org has no such job. With the org's acquisition channel.
-#}

with

won_deals as (
    select * from {{ ref('int_sales_deals') }}
    where is_won and org_id is not null
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
    where status = 'success' and completed_at is not null
),

organizations as (
    select * from {{ ref('organizations') }}
),

channels as (
    select * from {{ ref('int_marketing_org_channels') }}
),

first_won as (
    select
        org_id,
        deal_id,
        closed_at as won_at,
        row_number() over (partition by org_id order by closed_at, deal_id) as won_rank
    from won_deals
),

first_values as (
    select
        first_won.org_id,
        min(jobs.completed_at) as first_value_at
    from first_won
    inner join jobs
        on
            first_won.org_id = jobs.org_id
            and first_won.won_at <= jobs.completed_at
    where first_won.won_rank = 1
    group by first_won.org_id
),

final as (
    select
        first_won.org_id,
        coalesce(organizations.org_name, first_won.org_id) as org_name,
        first_won.deal_id,
        first_won.won_at,
        first_values.first_value_at,
        {{ vitals.days_elapsed('first_won.won_at', 'first_values.first_value_at') }} as days_won_to_first_value,
        channels.acquisition_channel
    from first_won
    left join first_values
        on first_won.org_id = first_values.org_id
    left join organizations
        on first_won.org_id = organizations.org_id
    left join channels
        on first_won.org_id = channels.org_id
    where first_won.won_rank = 1
)

select * from final
