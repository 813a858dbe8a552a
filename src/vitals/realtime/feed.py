"""The feed of recent rows: job events and Sentry errors landed in the raw tables, kept for a few hours.

Every tick reads the raw rows landed since the feed's cursor (a landing time, ``_loaded_at``, minus an
overlap for loads that committed late), normalizes the few columns the real-time windows need and appends
the rows it does not hold yet (by ``_row_hash``) to ``realtime.job_events`` and ``realtime.job_errors``;
rows that happened longer ago than the retention are dropped. The first tick (an empty cursor) reads the
raw tables once, keeping only what happened within the retention. So a tick costs what landed since the
last one, and the windows read a table of a few hours, whatever the size of the warehouse. In the server,
the rows acknowledged but not applied yet (the journal's, held back while a build runs) are added to a
window in memory (``Feed.pending``, vitals.realtime.journal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, RAW_TABLES, ROW_HASH_COLUMN
from vitals.realtime import journal
from vitals.realtime import normalize as n
from vitals.warehouse.base import Warehouse

SCHEMA = "realtime"
RETENTION = timedelta(hours=6)
"""How long after it happened a row stays in the feed (the longest window plus ``JOB_LOOKBACK``)."""
JOB_LOOKBACK = timedelta(hours=4)
"""How long before a window a job's submit is looked for (a job completing in the window started then)."""
MAX_WINDOW = RETENTION - JOB_LOOKBACK
"""The longest window a real-time rule may use."""
OVERLAP = timedelta(minutes=15)
"""Rows stamped this long before the cursor are read again: a load stamps its rows before it commits."""
JOB_EVENTS = ("note_submit", "summarize_start", "summarize_success", "summarize_failed", "note_save")
"""Canonical events the feed keeps: a job's own events and the attempt events (note_submit,
summarize_start, note_save)."""
SERIOUS_LEVELS = ("error", "fatal")
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"

EVENT_COLUMNS: list[tuple[str, str]] = [
    ("event_id", "text"),
    ("event_name", "text"),
    ("org_id", "text"),
    ("request_id", "text"),
    ("note_id", "text"),
    ("occurred_at", "timestamp"),
    ("quality_score", "double precision"),
    ("hard_error", "boolean"),
    ("ingested_at", "timestamp"),
    ("loaded_at", "timestamp"),
    ("row_hash", "text"),
]
ERROR_COLUMNS: list[tuple[str, str]] = [
    ("error_id", "text"),
    ("org_id", "text"),
    ("level", "text"),
    ("created_at", "timestamp"),
    ("ingested_at", "timestamp"),
    ("loaded_at", "timestamp"),
    ("row_hash", "text"),
]
CURSOR_COLUMNS: list[tuple[str, str]] = [("source_table", "text"), ("read_through", "text")]
ARROW_TYPES = {
    "text": pa.string(),
    "timestamp": pa.timestamp("us"),
    "double precision": pa.float64(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class FeedSource:
    """One raw table the feed reads: its time column, the raw columns read and the feed table written."""

    raw_table: str
    time_column: str
    feed_table: str
    columns: list[tuple[str, str]]

    @property
    def time_index(self) -> int:
        """Position of the time column in a feed row."""
        return [name for name, _ in self.columns].index(self.time_column)


EVENTS = FeedSource("events_big", "occurred_at", "job_events", EVENT_COLUMNS)
ERRORS = FeedSource("sentry_errors_big", "created_at", "job_errors", ERROR_COLUMNS)


@dataclass
class RefreshReport:
    """What one refresh read and kept."""

    rows_read: int = 0
    rows_added: int = 0
    rows_pruned: int = 0


def ensure_tables(wh: Warehouse) -> None:
    """Create the ``realtime`` schema and tables (and, on PostgreSQL, the indexes that keep reads small).
    Called only while the feed is not set up yet: no DDL runs beside a build on every tick."""
    wh.execute(f"create schema if not exists {SCHEMA}")
    wh.create_table(SCHEMA, EVENTS.feed_table, EVENTS.columns)
    wh.create_table(SCHEMA, ERRORS.feed_table, ERRORS.columns)
    wh.create_table(SCHEMA, "feed_cursor", CURSOR_COLUMNS)
    if wh.engine == "postgres":
        for source in (EVENTS, ERRORS):
            if wh.table_exists(RAW_SCHEMA, source.raw_table):
                wh.execute(
                    f"create index if not exists {source.raw_table}{LOADED_AT_COLUMN}_idx "
                    f"on {RAW_SCHEMA}.{source.raw_table} ({LOADED_AT_COLUMN})"
                )
            wh.execute(
                f"create index if not exists {source.feed_table}_{source.time_column}_idx "
                f"on {SCHEMA}.{source.feed_table} ({source.time_column})"
            )


class Feed:
    """The recent-rows feed of one warehouse, normalized by the settings' event names and allowlist."""

    def __init__(self, wh: Warehouse, settings: Settings) -> None:
        self.wh = wh
        self.names = n.event_name_map(settings.event_names)
        self.remapped = n.remapped_names(settings.event_names)
        self.allowlist = frozenset(settings.property_allowlist)
        self.sent_names = sorted(name for name, canonical in self.names.items() if canonical in JOB_EVENTS)
        self.sent_names += sorted(c for c in JOB_EVENTS if c not in self.names and c not in self.remapped)

    def refresh(self, as_of: datetime, *, now: datetime | None = None) -> RefreshReport:
        """Read what landed since the cursor, keep what happened within the retention before ``as_of``,
        drop older rows; one transaction."""
        if not self._set_up():
            ensure_tables(self.wh)
        started = (now or datetime.now(UTC)).astimezone(UTC)
        floor = naive_utc(as_of) - RETENTION
        report = RefreshReport()
        self.wh.begin()
        try:
            for source in (EVENTS, ERRORS):
                if not self.wh.table_exists(RAW_SCHEMA, source.raw_table):
                    continue
                since = self._cursor(source)
                raw = self._read(source, since, floor)
                kept = (self._row(source, row) for row in raw)
                rows = [r for r in kept if r is not None and r[source.time_index] >= floor]
                report.rows_read += len(raw)
                report.rows_added += self._append(source, rows, since)
                report.rows_pruned += self._prune(source, floor)
                self._set_cursor(source, started)
            self.wh.commit()
        except BaseException:
            self.wh.rollback()
            raise
        return report

    def _set_up(self) -> bool:
        """Whether the feed's tables exist and both raw tables have been read once (so their indexes exist)."""
        if not self.wh.table_exists(SCHEMA, "feed_cursor"):
            return False
        found = self.wh.query(f"select count(distinct source_table) from {SCHEMA}.feed_cursor")[0][0]
        return int(found) == 2

    def pending(self, source: FeedSource, as_of: datetime) -> list[tuple[Any, ...]]:
        """Feed rows of the journal's pending rows of ``source`` (acknowledged, not in raw yet) that happened
        within the retention before ``as_of``; never written to the feed."""
        contract = RAW_TABLES[source.raw_table].column_names
        wanted = (
            ["event_id", "org_id", "occurred_at", "event_name", "request_id", "properties", "_ingest_ts"]
            if source is EVENTS
            else ["event_id", "org_id", "created_at", "level", "_ingest_ts"]
        )
        positions = [contract.index(name) for name in wanted]
        floor = naive_utc(as_of) - RETENTION
        out: list[tuple[Any, ...]] = []
        for raw in journal.pending(source.raw_table):
            if source is ERRORS and n.clean_text(raw[positions[3]], lower=True) not in SERIOUS_LEVELS:
                continue
            row = self._row(source, [*(raw[i] for i in positions), None, raw[-1]])
            if row is not None and row[source.time_index] >= floor:
                out.append(row)
        return out

    # -- reading ------------------------------------------------------------------------------------
    def _cursor(self, source: FeedSource) -> str | None:
        found = self.wh.query(
            f"select read_through from {SCHEMA}.feed_cursor where source_table = ?", [source.raw_table]
        )
        if not found or found[0][0] is None:
            return None
        through = datetime.strptime(str(found[0][0]), STAMP) - OVERLAP
        return through.strftime(STAMP)

    def _set_cursor(self, source: FeedSource, started: datetime) -> None:
        self.wh.execute(f"delete from {SCHEMA}.feed_cursor where source_table = ?", [source.raw_table])
        self.wh.execute(
            f"insert into {SCHEMA}.feed_cursor (source_table, read_through) values (?, ?)",
            [source.raw_table, started.strftime(STAMP)],
        )

    def _read(self, source: FeedSource, since: str | None, floor: datetime) -> list[tuple[Any, ...]]:
        """Raw rows landed after ``since`` whose time text is not clearly older than ``floor`` (an ISO
        date a day before it: offsets move a local date by less than a day)."""
        day = (floor - timedelta(days=1)).date().isoformat()
        conditions = [f"substr(trim({source.time_column}), 1, 10) >= ?"]
        params: list[Any] = [day]
        if since is not None:
            conditions.append(f"{LOADED_AT_COLUMN} > ?")
            params.append(since)
        if source is EVENTS:
            columns = "event_id, org_id, occurred_at, event_name, request_id, properties"
            conditions.append(f"lower(trim(event_name)) in ({', '.join('?' for _ in self.sent_names)})")
            params.extend(self.sent_names)
        else:
            columns = "event_id, org_id, created_at, level"
            conditions.append(f"lower(trim(level)) in ({', '.join('?' for _ in SERIOUS_LEVELS)})")
            params.extend(SERIOUS_LEVELS)
        sql = (
            f"select {columns}, _ingest_ts, {LOADED_AT_COLUMN}, {ROW_HASH_COLUMN} "
            f"from {RAW_SCHEMA}.{source.raw_table} where {' and '.join(conditions)}"
        )
        return self.wh.query(sql, params)

    def _row(self, source: FeedSource, raw: Sequence[Any]) -> tuple[Any, ...] | None:
        """A raw row as a feed row (None when it has no id or time, or is not a job event)."""
        if source is EVENTS:
            return self._event(raw)
        error_id, org_id, created_at, level, ingest_ts, loaded_at, row_hash = raw
        key = n.normalize_id(error_id)
        at = n.parse_utc_timestamp(created_at)
        if key is None or at is None:
            return None
        found_level = n.clean_text(level, lower=True)
        ingested, landed = n.parse_utc_timestamp(ingest_ts), n.parse_utc_timestamp(loaded_at)
        return (key, n.uuid_or_null(org_id), found_level, at, ingested, landed, row_hash)

    def _event(self, raw: Sequence[Any]) -> tuple[Any, ...] | None:
        event_id, org_id, occurred_at, event_name, request_id, properties, ingest_ts, loaded_at, row_hash = raw
        key = n.normalize_id(event_id)
        at = n.parse_utc_timestamp(occurred_at)
        name = n.canonical_event_name(event_name, self.names, self.remapped)
        if key is None or at is None or name not in JOB_EVENTS:
            return None

        def prop(name: str) -> str | None:
            return n.property_text(properties, name) if name in self.allowlist else None

        quality = prop("quality_score")
        return (
            key,
            name,
            n.uuid_or_null(org_id),
            n.normalize_id(request_id),
            n.normalize_id(prop("note_id")),
            at,
            n.try_double(quality.strip() if quality is not None else None),
            n.try_boolean(prop("hard_error")),
            n.parse_utc_timestamp(ingest_ts),
            n.parse_utc_timestamp(loaded_at),
            row_hash,
        )

    # -- writing ------------------------------------------------------------------------------------
    def _append(self, source: FeedSource, rows: list[tuple[Any, ...]], since: str | None) -> int:
        """Append the rows the feed does not hold yet (by row hash, among those landed since ``since``)."""
        if not rows:
            return 0
        if since is None:
            held: set[str] = set()
        else:
            landed = datetime.strptime(since, STAMP)
            held = {
                r[0]
                for r in self.wh.query(
                    f"select row_hash from {SCHEMA}.{source.feed_table} where loaded_at >= ?", [landed]
                )
            }
        fresh: list[tuple[Any, ...]] = []
        for row in rows:
            if row[-1] not in held:
                held.add(row[-1])
                fresh.append(row)
        if fresh:
            data = pa.table(
                {
                    name: pa.array([r[i] for r in fresh], ARROW_TYPES[kind])
                    for i, (name, kind) in enumerate(source.columns)
                }
            )
            self.wh.append_arrow(SCHEMA, source.feed_table, data)
        return len(fresh)

    def _prune(self, source: FeedSource, floor: datetime) -> int:
        before = self.wh.query(
            f"select count(*) from {SCHEMA}.{source.feed_table} where {source.time_column} < ?", [floor]
        )[0][0]
        if before:
            self.wh.execute(f"delete from {SCHEMA}.{source.feed_table} where {source.time_column} < ?", [floor])
        return int(before)


def naive_utc(moment: datetime) -> datetime:
    """Naive UTC (as the feed stores times) from an aware or naive-UTC datetime."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
