"""The one writer of the warehouse: a lock every write takes, and the applier of journalled batches.

Ingest writes (journal applies, scheduled pulls, admin loads) and dbt builds all run under
``Writer.lock``, so they never interleave. The writer also holds a connection to the warehouse for the
life of the process, which on DuckDB keeps the file's lock: other processes are told the server owns it.

Applying is idempotent. Journalled batches are landed together in one transaction with one row per
batch in ``raw._journal_batches``; a batch whose id is already there is never landed again, and rows
are landed through ``landing.land_batches``, which skips any row hash already present.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from vitals.config import Settings
from vitals.contracts import RAW_SCHEMA, RAW_TABLES, StateTable
from vitals.ingest.landing import LoadRecord, land_batches, landed_columns, record_load, transaction, utc_now_text
from vitals.server.journal import Entry, JournalRecord
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

log = logging.getLogger("vitals.server.writer")

JOURNAL_BATCHES = StateTable(
    name="_journal_batches",
    columns=(
        ("batch_id", "text"),
        ("table_name", "text"),
        ("rows_in", "bigint"),
        ("received_at", "text"),
        ("applied_at", "text"),
    ),
)
"""One row per journalled batch applied to the raw tables (written in the same transaction as its rows)."""

JOURNAL_SOURCE = "ingest_api"
"""``raw._loads.source`` of journal applies."""

APPLY_MAX_BATCHES = 5_000
"""Journalled batches landed together in one transaction at most."""

PRUNE_EVERY_SECONDS = 60.0
"""How often ``raw._journal_batches`` forgets batches no journal segment holds any more."""

APPLY_LINGER_SECONDS = 0.25
"""After an apply, the applier waits this long before the next, so that batches gather."""


@dataclass
class ApplyStats:
    """What the applier has done since the process started."""

    applied_batches: int = 0
    skipped_batches: int = 0
    rows_inserted: int = 0
    last_applied_at: str | None = None
    last_error: str | None = None


class Writer:
    """Serializes every warehouse write of the process and applies committed journal records."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.stats = ApplyStats()
        self._pending: deque[Entry] = deque()
        self._pending_lock = threading.Lock()
        self._in_flight = 0
        self._flying: list[Entry] = []
        """The entries being applied now (their transaction is not committed yet)."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warehouse: Warehouse | None = None
        self.on_applied: Callable[[Sequence[Entry]], None] | None = None
        self.journal_floor: Callable[[], str | None] | None = None
        """The journal's ``oldest_batch_id``: applied ids below it are no longer needed."""
        self.prune_every_seconds = PRUNE_EVERY_SECONDS
        self._pruned_at = 0.0

    def open(self) -> None:
        """Open (and keep) the warehouse connection; create the raw and journal tables if missing."""
        warehouse = open_warehouse(self.settings)
        try:
            warehouse.ensure_raw_tables()
            warehouse.create_table(RAW_SCHEMA, JOURNAL_BATCHES.name, JOURNAL_BATCHES.columns)
            if warehouse.engine == "postgres":  # the applied-batch lookup probes it on every apply
                warehouse.execute(
                    f"create index if not exists {JOURNAL_BATCHES.name}_batch_id_idx "
                    f"on {RAW_SCHEMA}.{JOURNAL_BATCHES.name} (batch_id)"
                )
        except BaseException:
            warehouse.close()
            raise
        self._warehouse = warehouse

    def _reconnect(self) -> None:
        """After a failed apply on a database server, start over on a new connection (the old one may be
        broken, e.g. by a server restart). DuckDB's in-process connection is kept: it holds the file."""
        if self.settings.engine == "duckdb" or self._warehouse is None:
            return
        try:
            self._warehouse.close()
        except Exception:
            log.debug("closing the failed warehouse connection raised", exc_info=True)
        try:
            self._warehouse = open_warehouse(self.settings)
        except Exception as exc:
            log.error("reconnecting to the warehouse failed (retried at the next apply): %s", exc)

    @property
    def warehouse(self) -> Warehouse:
        """The writer's connection; use it only while holding ``lock``."""
        if self._warehouse is None:
            raise RuntimeError("the writer is not open")
        return self._warehouse

    def enqueue(self, entries: Sequence[Entry]) -> None:
        """Queue committed journal records for applying (the journal's ``on_commit``)."""
        with self._pending_lock:
            self._pending.extend(entries)
        self._wake.set()

    @property
    def pending(self) -> int:
        """Committed batches not yet applied (including those being applied now)."""
        with self._pending_lock:
            return len(self._pending) + self._in_flight

    def pending_records(self) -> list[JournalRecord]:
        """The committed journal records not in the raw tables yet (being applied, then queued), oldest first.
        A build holds the writer lock for its whole run, so during a build this is everything acknowledged
        since it started: the real-time alerts read it (vitals.realtime.journal)."""
        with self._pending_lock:
            return [entry.record for entry in (*self._flying, *self._pending)]

    def start(self) -> None:
        """Start the applier thread."""
        self._thread = threading.Thread(target=self._loop, name="vitals-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the applier (what is pending stays in the journal), close the connection."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self.lock:
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None

    def drain(self) -> None:
        """Apply everything committed so far, in this thread (a build calls it first)."""
        while self.apply_pending():
            pass

    def apply_pending(self) -> bool:
        """Apply up to ``APPLY_MAX_BATCHES`` pending batches; whether any were taken. On failure they stay
        pending (in order) and the error is raised."""
        with self.lock:
            with self._pending_lock:
                entries = [self._pending.popleft() for _ in range(min(len(self._pending), APPLY_MAX_BATCHES))]
                self._in_flight = len(entries)
                self._flying = entries
            if not entries:
                return False
            try:
                self._apply(entries)
            except BaseException as exc:
                with self._pending_lock:
                    self._pending.extendleft(reversed(entries))
                    self._in_flight = 0
                    self._flying = []
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                self._reconnect()
                raise
            with self._pending_lock:
                self._in_flight = 0
                self._flying = []
            self.stats.last_error = None
        if self.on_applied is not None:
            self.on_applied(entries)
        self._prune()
        return True

    def _prune(self) -> None:
        """Forget applied batch ids that no journal segment holds (they can never be replayed), at most
        every ``prune_every_seconds``: the table stays the size of the journal, not of the history."""
        if self.journal_floor is None or time.monotonic() - self._pruned_at < self.prune_every_seconds:
            return
        with self.lock:
            floor = self.journal_floor()
            table = f"{RAW_SCHEMA}.{JOURNAL_BATCHES.name}"
            try:
                if floor is None:
                    self.warehouse.execute(f"delete from {table}")
                else:
                    self.warehouse.execute(f"delete from {table} where batch_id < ?", [floor])
            except Exception as exc:  # only bookkeeping: tried again at the next prune
                log.warning("pruning %s failed: %s", table, exc)
                return
            self._pruned_at = time.monotonic()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            try:
                while not self._stop.is_set() and self.apply_pending():
                    # let batches gather: fewer, larger transactions, and the request path keeps the CPU
                    self._stop.wait(APPLY_LINGER_SECONDS)
            except Exception as exc:
                log.error("applying journalled batches failed, retrying in 1 s: %s: %s", type(exc).__name__, exc)
                self._stop.wait(1.0)
                self._wake.set()

    def _apply(self, entries: Sequence[Entry]) -> None:
        warehouse = self.warehouse
        by_table: dict[str, list[Entry]] = {}
        for entry in entries:
            by_table.setdefault(entry.record.table, []).append(entry)
        started = utc_now_text()
        skipped = applied = inserted = 0
        with transaction(warehouse):
            done = self._applied_ids(warehouse, [e.record.batch_id for e in entries])
            for table, group in by_table.items():
                fresh = [e for e in group if e.record.batch_id not in done]
                skipped += len(group) - len(fresh)
                if fresh:
                    inserted += self._land(warehouse, table, fresh, started)
                    applied += len(fresh)
        # counted once committed
        self.stats.skipped_batches += skipped
        self.stats.applied_batches += applied
        self.stats.rows_inserted += inserted
        if applied:
            self.stats.last_applied_at = utc_now_text()

    def _land(self, warehouse: Warehouse, table: str, entries: Sequence[Entry], started: str) -> int:
        """Land the batches' rows and record them; return the rows inserted."""
        raw = RAW_TABLES[table]
        columns = landed_columns(raw)
        loaded_at = utc_now_text()
        seen: set[str] = set()
        rows: list[list[str | None]] = []
        for entry in entries:
            for row in entry.record.rows:
                digest = row[-1]
                if digest is not None and digest not in seen:
                    seen.add(digest)
                    rows.append([*row, loaded_at])
        rows_in = sum(len(e.record.rows) for e in entries)
        data = pa.table({name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(columns)})
        inserted = land_batches(warehouse, raw, data.to_batches()) if rows else 0
        record = LoadRecord(
            entries[0].record.batch_id, JOURNAL_SOURCE, table, rows_in, inserted, started, utc_now_text()
        )
        record_load(warehouse, record)
        applied_at = utc_now_text()
        warehouse.append_arrow(
            RAW_SCHEMA,
            JOURNAL_BATCHES.name,
            pa.table(
                {
                    "batch_id": [e.record.batch_id for e in entries],
                    "table_name": [table] * len(entries),
                    "rows_in": pa.array([len(e.record.rows) for e in entries], pa.int64()),
                    "received_at": [e.record.received_at for e in entries],
                    "applied_at": [applied_at] * len(entries),
                }
            ),
        )
        return inserted

    @staticmethod
    def _applied_ids(warehouse: Warehouse, batch_ids: Sequence[str]) -> set[str]:
        """Which of ``batch_ids`` are already in ``raw._journal_batches`` (ids sort by time)."""
        if not batch_ids:
            return set()
        rows = warehouse.query(
            f"select batch_id from {RAW_SCHEMA}.{JOURNAL_BATCHES.name} where batch_id >= ? and batch_id <= ?",
            [min(batch_ids), max(batch_ids)],
        )
        wanted = set(batch_ids)
        return {r[0] for r in rows} & wanted
