"""Durable, idempotent writes into the raw tables, the same on every engine.

Rows arrive already sanitized and hashed (see ``sanitize``). They are appended to a scratch table,
then ``insert into raw.<table> ... select ... from scratch where not exists`` a row with the same
``_row_hash``, and the scratch table is dropped. Only the warehouse's abstract methods and the
concrete helpers built on them (``create_scratch_table``, ``insert_counting``, ``lock_for_writes``)
are used, so DuckDB, PostgreSQL and Spark share the code. The caller wraps a load in
``transaction`` so that, where the engine has transactions, it is applied entirely or not at all.
Loads and cursors are recorded in ``raw._loads`` and ``raw._cursors``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from vitals.contracts import (
    CURSORS,
    LOADED_AT_COLUMN,
    LOADS,
    RAW_SCHEMA,
    ROW_HASH_COLUMN,
    RawTable,
)
from vitals.warehouse.base import Warehouse

SCRATCH_PREFIX = "_scratch_"
"""Name prefix of the per-load scratch tables (dropped before commit)."""


UTC_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""How vitals writes a UTC time as text: fixed width, so text order is time order."""

_ONE_TICK = timedelta(microseconds=1)
_clock_lock = threading.Lock()
_last_now: datetime | None = None


def utc_now_text() -> str:
    """Now, as the UTC ISO text vitals stores (``2024-05-01T12:00:00.000000Z``); strictly later than
    any earlier call in this process, even within one microsecond or when the wall clock steps back."""
    global _last_now
    with _clock_lock:
        now = datetime.now(UTC)
        if _last_now is not None and now <= _last_now:
            now = _last_now + _ONE_TICK
        _last_now = now
    return now.strftime(UTC_TEXT_FORMAT)


def next_loaded_at(warehouse: Warehouse) -> str:
    """The ``_loaded_at`` of a load that starts now: now, or one microsecond after the end of the latest
    load recorded in ``raw._loads`` when that is not earlier (another process, a clock behind).

    Every writer records its load with a ``finished_at`` no earlier than its ``_loaded_at``, so rows of
    a later load always carry a strictly later ``_loaded_at`` (incremental models use it as a watermark).
    Call it inside the load's transaction, after ``lock_for_writes`` where the engine has locks."""
    now = utc_now_text()
    found = warehouse.query(f"select max(finished_at) from {RAW_SCHEMA}.{LOADS.name}")
    latest = found[0][0] if found else None
    if latest is None or latest < now:
        return now
    after = datetime.strptime(latest, UTC_TEXT_FORMAT).replace(tzinfo=UTC) + _ONE_TICK
    return after.strftime(UTC_TEXT_FORMAT)


def not_before(text: str) -> str:
    """Now as UTC text, or ``text`` when that is later (a load's ``finished_at`` never precedes its
    ``_loaded_at``)."""
    return max(utc_now_text(), text)


def new_load_id() -> str:
    """A fresh load id: UTC time plus a random suffix, sortable by time."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def landed_columns(raw: RawTable) -> list[str]:
    """The columns written to a raw table: the contract's, then ``_row_hash`` and ``_loaded_at``."""
    return [*raw.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]


@contextmanager
def transaction(warehouse: Warehouse) -> Iterator[None]:
    """Commit when the block succeeds, roll back (and re-raise) when it fails."""
    warehouse.begin()
    try:
        yield
    except BaseException:
        warehouse.rollback()
        raise
    warehouse.commit()


def land_batches(
    warehouse: Warehouse,
    raw: RawTable,
    batches: Iterable[pa.RecordBatch],
    *,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Land sanitized, hashed rows (columns: ``landed_columns(raw)``) into ``raw.<table>``, skipping
    rows whose hash is already there and repeats among the batches; return how many were inserted.

    The batches are appended to a scratch table first (the engine's, on disk or spilled), so memory
    holds one batch at a time. Run it inside ``transaction``; ``on_rows`` is told how many rows each
    batch moved."""
    scratch = f"{SCRATCH_PREFIX}{raw.name}_{uuid.uuid4().hex[:12]}"
    columns = landed_columns(raw)
    warehouse.lock_for_writes(RAW_SCHEMA, raw.name)
    scratch_schema = warehouse.create_scratch_table(scratch, [(c, "text") for c in columns])
    try:
        for batch in batches:
            if batch.num_rows:
                warehouse.append_arrow(scratch_schema, scratch, pa.Table.from_batches([batch]))
            if on_rows is not None:
                on_rows(batch.num_rows)
        column_list = ", ".join(columns)
        first_copies = (
            f"select {column_list}, row_number() over (partition by {ROW_HASH_COLUMN} order by {ROW_HASH_COLUMN}) "
            f"as _copy from {scratch_schema}.{scratch}"
        )
        inserted = warehouse.insert_counting(
            RAW_SCHEMA,
            raw.name,
            f"insert into {RAW_SCHEMA}.{raw.name} ({column_list}) "
            f"select {', '.join(f's.{c}' for c in columns)} from ({first_copies}) as s "
            f"where s._copy = 1 and not exists (select 1 from {RAW_SCHEMA}.{raw.name} as t "
            f"where t.{ROW_HASH_COLUMN} = s.{ROW_HASH_COLUMN})",
        )
    except BaseException:
        with suppress(Exception):  # the rollback removes it where the engine has transactions
            warehouse.drop_table(scratch_schema, scratch)
        raise
    warehouse.drop_table(scratch_schema, scratch)
    return inserted


@dataclass(frozen=True)
class LoadRecord:
    """One row of ``raw._loads``."""

    load_id: str
    source: str
    table_name: str
    rows_read: int
    rows_inserted: int
    started_at: str
    finished_at: str


def record_load(warehouse: Warehouse, record: LoadRecord) -> None:
    """Append one row to ``raw._loads``."""
    row = {
        "load_id": [record.load_id],
        "source": [record.source],
        "table_name": [record.table_name],
        "rows_read": pa.array([record.rows_read], pa.int64()),
        "rows_inserted": pa.array([record.rows_inserted], pa.int64()),
        "rows_skipped": pa.array([record.rows_read - record.rows_inserted], pa.int64()),
        "started_at": [record.started_at],
        "finished_at": [record.finished_at],
    }
    warehouse.append_arrow(RAW_SCHEMA, LOADS.name, pa.table(row))


def saved_cursor(warehouse: Warehouse, source: str, cursor_column: str) -> str | None:
    """The cursor saved for ``source`` and ``cursor_column``, or None before the first pull."""
    rows = warehouse.query(
        f"select max(cursor_value) from {RAW_SCHEMA}.{CURSORS.name} where source = ? and cursor_column = ?",
        [source, cursor_column],
    )
    return rows[0][0] if rows and rows[0][0] is not None else None


def save_cursor(warehouse: Warehouse, source: str, cursor_column: str, value: str) -> None:
    """Append a cursor position to ``raw._cursors`` (the greatest value is the current cursor)."""
    row = {
        "source": [source],
        "cursor_column": [cursor_column],
        "cursor_value": [value],
        "updated_at": [utc_now_text()],
    }
    warehouse.append_arrow(RAW_SCHEMA, CURSORS.name, pa.table(row))
