{#-
    Every version of every deal (stg_crm__deal_versions) with what its history says: its state (open, won,
    lost, closed without an outcome, or removed: deleted or merged), the stage spell it belongs to (a spell is a
    run of consecutive versions in the same stage and state) and when that spell began (stage_entered_at: its
    first version's updated_at; for the deal's first spell, its created_at when earlier). Each version's values
    depend only on the versions before it, so a version read as of a day says what was known that day.
-#}

with

versions as (
    select * from {{ ref('stg_crm__deal_versions') }}
),

stated as (
    select
        *,
        case
            when is_removed then 'removed'
            when closed_at is not null and is_won then 'won'
            when closed_at is not null and not is_won then 'lost'
            when closed_at is not null then 'closed'
            else 'open'
        end as version_state
    from versions
),

spell_starts as (
    select
        *,
        case
            when version_number = 1 then 1
            when coalesce(stage, '') <> coalesce(lag(stage) over deal_history, '') then 1
            when version_state <> lag(version_state) over deal_history then 1
            else 0
        end as starts_spell
    from stated
    window deal_history as (partition by deal_id order by updated_at)
),

numbered as (
    select
        *,
        cast(sum(starts_spell) over (
            partition by deal_id
            order by updated_at
            rows between unbounded preceding and current row
        ) as integer) as spell_number
    from spell_starts
),

final as (
    select
        deal_id,
        version_number,
        is_current_version,
        org_id,
        company_name,
        company_domain,
        owner_id,
        pipeline,
        stage,
        version_state,
        spell_number,
        min(case when spell_number = 1 then least(created_at, updated_at) else updated_at end) over (
            partition by deal_id, spell_number
            order by updated_at
            rows between unbounded preceding and current row
        ) as stage_entered_at,
        amount_cents,
        currency,
        created_at,
        expected_close_date,
        closed_at,
        is_won,
        is_removed,
        lost_reason,
        source_channel,
        updated_at,
        {{ vitals.business_date('updated_at') }} as version_date
    from numbered
)

select * from final
