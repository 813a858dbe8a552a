{#-
    Seed 000 "accounts with declining usage": org-weeks whose weekly active providers (WAP) fell by
    at least 20% from the calendar week before. Unlike the seed's LAG over the weeks that have rows,
    a week without any active provider counts as WAP 0: a drop to zero is reported, and a week after
    a gap is compared with the gap (0), not with an older week. Weeks up to the as-of week.
-#}

with

weekly as (
    select * from {{ ref('mart_analyses_weekly_active_providers') }}
),

candidate_weeks as (
    -- every week with active providers, and the week after each (which may have none)
    select
        org_id,
        org_name,
        week_start
    from weekly

    union

    select
        org_id,
        org_name,
        {{ vitals.add_days('week_start', 7) }} as week_start
    from weekly
    where {{ vitals.add_days('week_start', 7) }} <= {{ vitals.week_start(vitals.as_of_date()) }}
),

compared as (
    select
        candidate_weeks.org_id,
        candidate_weeks.org_name,
        candidate_weeks.week_start,
        coalesce(previous_week.weekly_active_providers, 0) as prev_wap,
        coalesce(this_week.weekly_active_providers, 0) as curr_wap
    from candidate_weeks
    left join weekly as this_week
        on
            candidate_weeks.org_id = this_week.org_id
            and candidate_weeks.week_start = this_week.week_start
    left join weekly as previous_week
        on
            candidate_weeks.org_id = previous_week.org_id
            and {{ vitals.add_days('candidate_weeks.week_start', -7) }} = previous_week.week_start
),

final as (
    select
        org_id,
        org_name,
        week_start,
        prev_wap,
        curr_wap,
        prev_wap - curr_wap as wap_change_abs,
        {{ vitals.safe_divide('prev_wap - curr_wap', 'prev_wap') }} as wap_decline_rate
    from compared
    -- (prev - curr) / prev >= 0.20, in exact integer arithmetic
    where prev_wap > 0 and 5 * (prev_wap - curr_wap) >= prev_wap
)

select * from final
