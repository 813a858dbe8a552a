"""The benchmark dataset cut for the incremental phases: a base to load and build whole, then what arrives later.

- ``base``: every row but those held back below;
- ``tail``: the events of the last 30 minutes before the as-of time (they arrive after the first build);
- ``late``: a share of the events of three past days (10, 20 and 30 days before the as-of time), arriving
  after that, so an incremental build must recompute those days and every trailing window after them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

PARTS = ("base", "tail", "late")
TAIL = timedelta(minutes=30)
LATE_DAYS = (10, 20, 30)
LATE_SHARE = 20
"""One in this many events of each late day is held back for the late batch."""


def prepare(data: Path, as_of: datetime) -> Path:
    """Write ``data/increments/{base,tail,late}`` from the dataset's files (once); return that directory."""
    root = data / "increments"
    done = root / "DONE"
    if done.exists():
        return root
    for part in PARTS:
        (root / part).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        tail_from = as_of - TAIL
        late_days = ", ".join(f"date '{(as_of - timedelta(days=d)).date().isoformat()}'" for d in LATE_DAYS)
        events = data / "events_big.parquet"
        con.execute(
            f"""
            create view events as
            select
                *,
                case
                    when try_cast(occurred_at as timestamptz) > timestamptz '{tail_from.isoformat()}' then 'tail'
                    when cast(try_cast(occurred_at as timestamptz) as date) in ({late_days})
                        and hash(event_id) % {LATE_SHARE} = 0 then 'late'
                    else 'base'
                end as part
            from read_parquet('{events}')
            """
        )
        for part in PARTS:
            con.execute(
                f"copy (select * exclude (part) from events where part = '{part}') "
                f"to '{root / part / 'events_big.parquet'}' (format parquet)"
            )
        for path in sorted(data.glob("*.parquet")):
            if path.name != "events_big.parquet":
                target = root / "base" / path.name
                con.execute(f"copy (select * from read_parquet('{path}')) to '{target}' (format parquet)")
    finally:
        con.close()
    done.write_text(as_of.isoformat())
    return root
