"""Raw rows for the real-time tests: jobs (submit, pick-up, success) and Sentry errors, landed as text into
the raw tables the way every way in lands them (with ``_row_hash`` and ``_loaded_at``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

import pyarrow as pa

from vitals.config import Settings
from vitals.contracts import EVENTS, LOADED_AT_COLUMN, RAW_SCHEMA, ROW_HASH_COLUMN, SENTRY_ERRORS
from vitals.ingest.landing import utc_now_text
from vitals.warehouse import open_warehouse

Row = dict[str, str | None]
ORG_A = "00000000-0000-4000-8000-00000000000a"
ORG_B = "00000000-0000-4000-8000-00000000000b"
DAY = datetime(2026, 3, 2)
"""A Monday; times of the tests are naive UTC on it."""


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute, second=second)


def text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def event(event_id: str, name: str, when: datetime, org: str | None = ORG_A, **properties: object) -> Row:
    return {
        "event_id": event_id,
        "org_id": org or "",
        "provider_id": "",
        "user_id": "",
        "occurred_at": text(when),
        "event_name": name,
        "session_id": "",
        "request_id": "",
        "source": "api",
        "endpoint": "",
        "device": "",
        "geo_country": "",
        "properties": json.dumps(properties),
        "inserted_at": "",
        "_ingest_source": "test",
        "_ingest_ts": "",
    }


def job(
    key: str,
    submit: datetime,
    start: datetime | None,
    done: datetime | None,
    quality: float = 0.9,
    *,
    hard_error: bool = False,
    org: str | None = ORG_A,
) -> list[Row]:
    """A job's note_submit, summarize_start and summarize_success (each when given)."""
    rows = [event(f"{key}-submit", "note_submit", submit, org, note_id=key)]
    if start is not None:
        rows.append(event(f"{key}-start", "summarize_start", start, org, note_id=key))
    if done is not None:
        rows.append(
            event(
                f"{key}-done", "summarize_success", done, org, note_id=key, quality_score=quality, hard_error=hard_error
            )
        )
    return rows


def quick_job(key: str, done: datetime, *, passed: bool = True) -> list[Row]:
    """A job submitted 2 minutes and picked up 1 minute before it completed."""
    return job(key, done - timedelta(minutes=2), done - timedelta(minutes=1), done, 0.9 if passed else 0.3)


def error(error_id: str, when: datetime, level: str = "error", org: str | None = ORG_A) -> Row:
    row: Row = dict.fromkeys(SENTRY_ERRORS.column_names, "")
    row.update(event_id=error_id, org_id=org or "", level=level, created_at=text(when), _ingest_source="test")
    return row


def _hash(row: Row) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()


def land(settings: Settings, events: Sequence[Row] = (), errors: Sequence[Row] = ()) -> None:
    """Append the rows to raw.events_big / raw.sentry_errors_big, landed now."""
    with open_warehouse(settings) as wh:
        wh.ensure_raw_tables()
        for contract, rows in ((EVENTS, events), (SENTRY_ERRORS, errors)):
            if not rows:
                continue
            landed = utc_now_text()
            full = [{**r, ROW_HASH_COLUMN: _hash(r), LOADED_AT_COLUMN: landed} for r in rows]
            columns = [*contract.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
            table = pa.table({c: pa.array([r.get(c) for r in full], pa.string()) for c in columns})
            wh.append_arrow(RAW_SCHEMA, contract.name, table)
