{#-
    Stage conversion and time in stage, from the deals' version history (int_sales_deal_stage_spells), per
    pipeline and open stage: how often deals entered it, how many are in it now, how the visits that ended
    ended (moved to another open stage, won, lost), the share that went on rather than being lost, the share
    of the deals that reached it and have closed that were won, and the days a finished visit lasted.
-#}

with

spells as (
    select * from {{ ref('int_sales_deal_stage_spells') }}
    where is_open_stage
),

deals as (
    select * from {{ ref('int_sales_deals') }}
),

outcomes as (
    select
        spells.pipeline,
        spells.stage,
        spells.deal_id,
        spells.exited_at,
        spells.exit_outcome,
        spells.days_in_stage,
        deals.is_won as deal_is_won,
        deals.is_lost as deal_is_lost
    from spells
    left join deals
        on spells.deal_id = deals.deal_id
),

counted as (
    select
        pipeline,
        stage,
        count(*) as stage_entries,
        count(distinct deal_id) as deals_entered,
        {{ vitals.count_if('exited_at is null') }} as deals_in_stage,
        {{ vitals.count_if("exit_outcome = 'moved'") }} as exits_moved,
        {{ vitals.count_if("exit_outcome = 'won'") }} as exits_won,
        {{ vitals.count_if("exit_outcome = 'lost'") }} as exits_lost,
        count(distinct case when deal_is_won then deal_id end) as deals_won_after,
        count(distinct case when deal_is_lost then deal_id end) as deals_lost_after,
        cast(
            {{ vitals.percentile('case when exited_at is not null then days_in_stage end', 0.5) }}
            as {{ vitals.type_double() }}
        ) as median_days_in_stage,
        avg(case when exited_at is not null then days_in_stage end) as average_days_in_stage
    from outcomes
    group by pipeline, stage
),

final as (
    select
        pipeline,
        stage,
        stage_entries,
        deals_entered,
        deals_in_stage,
        exits_moved,
        exits_won,
        exits_lost,
        {{ vitals.safe_divide('exits_moved + exits_won', '(exits_moved + exits_won + exits_lost)') }}
            as stage_conversion_rate,
        deals_won_after,
        deals_lost_after,
        {{ vitals.safe_divide('deals_won_after', '(deals_won_after + deals_lost_after)') }} as stage_win_rate,
        median_days_in_stage,
        average_days_in_stage
    from counted
)

select * from final
