"""Rows the server acknowledged but has not landed yet (a build holds the writer lock) count in the windows."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, timedelta
from pathlib import Path

from tests.conftest import make_settings
from tests.realtime.rows import Row, at, error, job, land
from vitals.alerts.realtime import RealtimeSource
from vitals.config import Settings
from vitals.contracts import EVENTS, SENTRY_ERRORS
from vitals.realtime import journal
from vitals.realtime.windows import Figures
from vitals.server.journal import Entry, JournalRecord
from vitals.server.writer import Writer
from vitals.warehouse import open_warehouse

HOUR = timedelta(hours=1)


def figures(settings: Settings) -> Figures:
    """The last hour before 12:00, as the alert evaluation computes it (feed and pending journal rows)."""
    with open_warehouse(settings) as wh:
        return RealtimeSource(wh, settings, at(12).replace(tzinfo=UTC)).figures(HOUR)["global"]


def record(table: str, columns: list[str], rows: list[Row]) -> JournalRecord:
    body = [[r.get(c) for c in columns] + [hashlib.sha256(json.dumps(r).encode()).hexdigest()] for r in rows]
    return JournalRecord(f"batch-{table}", table, at(12).isoformat(), body)


def test_pending_journal_rows_count_until_they_land(engine_settings: Settings) -> None:
    land(engine_settings, job("landed", at(11, 30), at(11, 31), at(11, 40), 0.9))
    waiting = [
        record(EVENTS.name, EVENTS.column_names, job("waiting", at(11, 45), at(11, 46), at(11, 50), 0.2)),
        record(
            SENTRY_ERRORS.name, SENTRY_ERRORS.column_names, [error("e1", at(11, 55)), error("w1", at(11, 56), "info")]
        ),
    ]
    journal.register(lambda: waiting)
    try:
        held = figures(engine_settings)
    finally:
        journal.register(None)
    assert (held.successful_jobs, held.quality_passed_jobs, held.error_events) == (2, 1, 1)
    assert held.summarize_ms_p50 == (540_000 + 240_000) / 2
    # without the journal (nothing pending) only the landed job counts, and nothing was written to the feed
    alone = figures(engine_settings)
    assert (alone.successful_jobs, alone.error_events) == (1, 0)


def test_the_writer_reports_what_it_has_not_applied(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    writer = Writer(settings)
    first = record(EVENTS.name, EVENTS.column_names, job("a", at(11), at(11, 1), at(11, 2)))
    writer.enqueue([Entry(1, first)])
    assert writer.pending_records() == [first]
    writer.open()
    try:
        writer.drain()
    finally:
        writer.stop()
    assert writer.pending_records() == []
