{#-
    The stage history of every deal: one row per spell (a run of consecutive versions in one stage and state,
    int_sales_deal_versions), when it began and ended (the next spell's start; null while it lasts), how it
    ended (moved to another open stage, won, lost, closed without an outcome, removed) and the days spent in it
    (up to the as-of time for the current spell).
-#}

with

versions as (
    select * from {{ ref('int_sales_deal_versions') }}
),

spell_versions as (
    select
        deal_id,
        spell_number,
        pipeline,
        stage,
        version_state,
        stage_entered_at as entered_at,
        row_number() over (partition by deal_id, spell_number order by version_number) as version_in_spell
    from versions
),

linked as (
    select
        deal_id,
        spell_number,
        pipeline,
        stage,
        version_state,
        entered_at,
        lead(entered_at) over (partition by deal_id order by spell_number) as exited_at,
        lead(version_state) over (partition by deal_id order by spell_number) as next_state
    from spell_versions
    where version_in_spell = 1
),

final as (
    select
        deal_id,
        spell_number,
        pipeline,
        stage,
        version_state = 'open' as is_open_stage,
        entered_at,
        exited_at,
        case
            when exited_at is null then null
            when next_state = 'open' then 'moved'
            else next_state
        end as exit_outcome,
        {{ vitals.days_elapsed('entered_at', 'coalesce(exited_at, ' ~ vitals.as_of() ~ ')') }} as days_in_stage
    from linked
)

select * from final
