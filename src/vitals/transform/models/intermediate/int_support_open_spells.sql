{#-
    When each support ticket was in the backlog, as spans of business days: one row per span (ticket_id, org_id,
    open_from, open_until), the ticket being open at the end of every day from open_from up to the day before
    open_until (null: still open at the as-of date). A ticket is open at the end of a day when its newest version
    as of then is not solved (status new, open or pending: macro support_is_solved). Before its first version
    (a ticket the source first sent later), it is open from its creation day until its first version's day, or
    until its first version's resolution day when that version is solved and resolved earlier. The org is the
    ticket's as it stands.
-#}

with

tickets as (
    select
        ticket_id,
        org_id,
        {{ vitals.business_date('created_at') }} as created_date
    from {{ ref('int_support_tickets') }}
),

versions as (
    select
        ticket_id,
        version_number,
        updated_at,
        {{ vitals.business_date('updated_at') }} as version_date,
        {{ vitals.business_date('resolved_at') }} as resolved_date,
        {{ vitals.support_is_solved('status', 'resolved_at') }} as is_solved
    from {{ ref('stg_support__ticket_versions') }}
),

day_end_versions as (
    -- the version standing at the end of each business day on which the ticket changed
    select
        *,
        row_number() over (partition by ticket_id, version_date order by updated_at desc) as day_rank
    from versions
),

day_end_states as (
    select
        ticket_id,
        version_date,
        is_solved,
        lead(version_date) over (partition by ticket_id order by version_date) as next_version_date
    from day_end_versions
    where day_rank = 1
),

spans_before_first_version as (
    select
        tickets.ticket_id,
        tickets.org_id,
        tickets.created_date as open_from,
        case
            when first_versions.is_solved and first_versions.resolved_date < first_versions.version_date
                then first_versions.resolved_date
            else first_versions.version_date
        end as open_until
    from tickets
    inner join versions as first_versions
        on
            tickets.ticket_id = first_versions.ticket_id
            and first_versions.version_number = 1
),

spans_of_versions as (
    select
        tickets.ticket_id,
        tickets.org_id,
        case
            when day_end_states.version_date < tickets.created_date then tickets.created_date
            else day_end_states.version_date
        end as open_from,
        day_end_states.next_version_date as open_until
    from day_end_states
    inner join tickets
        on day_end_states.ticket_id = tickets.ticket_id
    where not day_end_states.is_solved
),

spans as (
    select * from spans_before_first_version
    union all
    select * from spans_of_versions
),

final as (
    select
        ticket_id,
        org_id,
        open_from,
        open_until
    from spans
    where open_until is null or open_until > open_from
)

select * from final
