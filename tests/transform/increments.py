"""A generated set cut into increments that exercise every path of an incremental build.

Each raw table is split by its business time into parts, one per build (as of T1 < T2 < ...), and then
disturbed the way real feeds are:
- rows loaded before they happen (dated after the build that loads them: visible only later);
- late rows for past days, and every row of one org arriving only in the last part (a new org);
- summarization outcomes arriving a part after their job started (late completions);
- duplicates that lose to the first copy, and duplicates whose earlier `_ingest_ts` makes them win (with
  another device and provider: the event moves to a provider first seen there);
- invoices whose later state (void) arrives in a later part;
- one event dated weeks before the data starts (before the first metric day);
- jobs started just before the first build that never get an outcome (pending then, timed out later);
- providers whose role (provider_created) is dated after their other events and arrives in a tail part of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

RAW_TIMES = {
    "events_big": "occurred_at",
    "sentry_errors_big": "created_at",
    "stripe_billing_big": "period_start",
    "nps_responses": "responded_at",
    "support_tickets": "updated_at",
    "retention_campaigns": "updated_at",
}
"""Raw table -> the column that dates its rows (a snapshot table's versions: their updated_at)."""


@dataclass(frozen=True)
class Increments:
    """Directories of raw files, one per build, with the as-of time of each build."""

    parts: list[Path]
    as_ofs: list[datetime]


def split(source: Path, out: Path, as_ofs: list[datetime]) -> Increments:
    """Cut the generated files in ``source`` into ``len(as_ofs)`` parts under ``out``: one per build as of each
    time but the last, then a tail of late role events only (as of the last time)."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    bounds = ", ".join(f"timestamptz '{moment.isoformat()}'" for moment in as_ofs)
    last = len(as_ofs)
    main = last - 1
    """The last regular part; the one after it (the tail) holds only late role events."""
    con.execute(f"create table bounds as select unnest([{bounds}]) as bound, generate_subscripts([{bounds}], 1) as k")
    new_org = con.execute(
        f"select lower(trim(org_id)) from read_parquet('{source / 'events_big.parquet'}') "
        "where org_id is not null and length(trim(org_id)) = 36 group by 1 order by 1 limit 1"
    ).fetchone()
    assert new_org is not None
    for table, column in RAW_TIMES.items():
        path = source / f"{table}.parquet"
        con.execute(
            f"""
            create or replace table t as
            select *, row_number() over () as rn, try_cast({column} as timestamptz) as dated_at
            from read_parquet('{path}')
            """
        )
        con.execute(
            f"""
            create or replace table parted as
            select
                t.*,
                coalesce((select min(k) from bounds where t.dated_at <= bounds.bound), {main}) as base
            from t
            """
        )
        org_rule = f"when lower(trim(org_id)) = '{new_org[0]}' then {main}" if table != "nps_responses" else ""
        success_rule = (
            f"when event_name = 'summarize_success' and hash(rn) % 5 = 0 then least(base + 1, {main})"
            if table == "events_big"
            else ""
        )
        con.execute(
            f"""
            create or replace table assigned as
            select
                * exclude (base),
                case
                    {org_rule}
                    when hash(rn) % 33 = 1 and base < {main - 1} then {main}
                    {success_rule}
                    when hash(rn) % 10 = 0 and base > 1 then base - 1
                    else base
                end as part
            from parted
            """
        )
        if table == "events_big":
            # providers active before their role arrives: the provider_created event is dated after the last
            # regular build and is all the tail part holds (every earlier day of theirs changes with it)
            role_at = (as_ofs[-2] + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
            con.execute(
                f"update assigned set occurred_at = '{role_at}', part = {last} "
                "where event_name = 'provider_created' and hash(rn) % 9 = 4"
            )
        extras = _extras(table, main, as_ofs[0])
        if extras:
            con.execute(f"insert into assigned {extras}")
        for k in range(1, last + 1):
            directory = out / f"part{k}"
            directory.mkdir(parents=True, exist_ok=True)
            rows = con.execute(f"select count(*) from assigned where part = {k}").fetchone()
            if rows and rows[0]:
                con.execute(
                    f"copy (select * exclude (rn, dated_at, part) from assigned where part = {k}) "
                    f"to '{directory / f'{table}.parquet'}' (format parquet)"
                )
    con.close()
    return Increments(parts=[out / f"part{k}" for k in range(1, last + 1)], as_ofs=as_ofs)


def _extras(table: str, last: int, first_as_of: datetime) -> str:
    """Rows added to a table's parts: duplicates, later invoice states, an event before the data starts,
    jobs that time out."""
    submitted = (first_as_of - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    middle = max(last - 1, 2)
    if table == "events_big":
        return f"""
            -- a copy that loses to the first (ingested later)
            select
                * exclude (part) replace ('2099-01-01 00:00:00' as _ingest_ts, 'replayed-late' as device),
                {middle} as part
            from assigned where hash(rn) % 50 = 7 and part < {middle}
            union all
            -- a copy that wins (ingested earlier than the first copy), with other content
            select
                * exclude (part) replace (
                    '2000-01-01 00:00:00' as _ingest_ts,
                    'replayed-early' as device,
                    '00000000-0000-4000-b000-' || lpad(cast(rn as varchar), 12, '0') as provider_id
                ),
                {middle} as part
            from assigned where hash(rn) % 50 = 8 and part < {middle} and length(trim(org_id)) = 36
            union all
            -- an event weeks before the data starts
            select * exclude (part) replace (
                '00000000-0000-4000-8000-' || lpad(cast(rn as varchar), 12, '0') as event_id,
                '2026-08-01 12:00:00' as occurred_at
            ), {middle} as part
            from assigned where rn = 1
            union all
            -- jobs submitted ten minutes before the first build, never picked up: pending, then timed out
            select * exclude (part) replace (
                '00000000-0000-4000-9000-' || lpad(cast(rn as varchar), 12, '0') as event_id,
                'note_submit' as event_name,
                '{submitted}' as occurred_at,
                '' as request_id,
                '{{"note_id": "00000000-0000-4000-a000-' || lpad(cast(rn as varchar), 12, '0') || '"}}' as properties
            ), 1 as part
            from assigned where event_name = 'note_submit' and rn % 97 = 0 and length(trim(org_id)) = 36
        """
    if table == "sentry_errors_big":
        return f"""
            select * exclude (part) replace ('2099-01-01 00:00:00' as _ingest_ts), {middle} as part
            from assigned where hash(rn) % 40 = 3 and part < {middle}
        """
    if table == "stripe_billing_big":
        return f"""
            select * exclude (part) replace ('void' as status, '2099-01-01 00:00:00' as _ingest_ts), {middle} as part
            from assigned where hash(rn) % 10 = 1 and part < {middle}
        """
    return ""
