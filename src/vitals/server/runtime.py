"""The running service: the writer, the journal, the builder and the scheduler, started and stopped together.

Start-up opens the warehouse (on DuckDB this takes the file's lock for the life of the process) and
the journal synchronously, then, in the background, applies every journalled batch not yet in the raw
tables, flattens every stored webhook delivery not flattened yet (``stored_deliveries``: a crash between
a webhook's acknowledgement and its background flatten), and starts the applier and the scheduler; only
then is the service ready (``/readyz``). A
failed replay is logged and retried every few seconds. Shutdown commits what is queued in the journal;
batches not applied yet stay there and are applied by the next start.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from vitals import system_health
from vitals.config import Settings
from vitals.realtime import journal as realtime_journal
from vitals.server.builds import Builder
from vitals.server.jobs import ALERTS, scheduled_jobs
from vitals.server.journal import Journal
from vitals.server.scheduler import Scheduler, SchedulerGroup, utc_now
from vitals.server.system_check import check_system
from vitals.server.token_gate import TokenGate
from vitals.server.writer import Writer
from vitals.stored_deliveries import flatten_stored
from vitals.warehouse.base import Warehouse

log = logging.getLogger("vitals.server")

REPLAY_RETRY_SECONDS = 5.0
SWITCH_INTERVAL_SECONDS = 0.0005


def journal_dir(settings: Settings) -> Path:
    """Where the journal lives: ``serve.journal_dir`` or ``<state_dir>/journal``."""
    configured = settings.serve.journal_dir
    return Path(configured) if configured else Path(settings.state_dir) / "journal"


def discovery_path(settings: Settings) -> Path:
    """The file a running server writes its address into (for `vitals build` and `vitals load`)."""
    return Path(settings.state_dir) / "serve.json"


class Runtime:
    """Everything `vitals serve` runs besides HTTP."""

    def __init__(self, settings: Settings, *, url: str | None = None) -> None:
        self.settings = settings
        self.url = url
        self.writer = Writer(settings)
        self.journal = Journal(
            journal_dir(settings), segment_bytes=settings.serve.journal_segment_bytes, on_commit=self.writer.enqueue
        )
        self.writer.on_applied = self.journal.mark_applied
        self.writer.journal_floor = self.journal.oldest_batch_id
        self.builder = Builder(settings, self.writer)
        self.tokens = TokenGate(settings)
        jobs = scheduled_jobs(settings, self.writer, self.builder)
        # the alert evaluation keeps its own pace: a build (which grows with the data) never delays a page
        self.scheduler = SchedulerGroup(
            [
                Scheduler([j for j in jobs if j.name != ALERTS]),
                Scheduler([j for j in jobs if j.name == ALERTS], name="vitals-alerts"),
            ]
        )
        self.ready = threading.Event()
        self.started_at = utc_now()
        """When the service was made: until a build succeeds, the system health judges the data as of then."""
        self.replay_error: str | None = None
        self.recovered = 0
        self._stop = threading.Event()
        self._replayer: threading.Thread | None = None
        self._scratch = duckdb.connect(":memory:")
        self._local = threading.local()

    def start(self) -> None:
        """Open the warehouse and journal; replay and start the background work in a thread."""
        # requests hand off to the journal thread and back: switch threads sooner than the default 5 ms
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        self.writer.open()
        realtime_journal.register(self.writer.pending_records)
        system_health.register(self.check_health)
        try:
            recovered = self.journal.open()
        except BaseException:
            self.writer.stop()
            raise
        self.recovered = len(recovered)
        self.writer.enqueue(recovered)
        self._replayer = threading.Thread(target=self._replay, name="vitals-replay", daemon=True)
        self._replayer.start()
        self._advertise()

    def _replay(self) -> None:
        while not self._stop.is_set():
            try:
                self.writer.drain()
            except Exception as exc:
                self.replay_error = f"{type(exc).__name__}: {exc}"
                log.error("replaying the journal failed, retrying in %.0f s: %s", REPLAY_RETRY_SECONDS, exc)
                self._stop.wait(REPLAY_RETRY_SECONDS)
                continue
            self.replay_error = None
            if self.recovered:
                log.info("journal replayed: %d batch(es) recovered", self.recovered)
            self._flatten_stored()
            self.writer.start()
            self.scheduler.start()
            self.ready.set()
            return

    def _flatten_stored(self) -> None:
        """Flatten the acknowledged webhook deliveries a crash left unflattened (a failure is logged: the
        next build tries again)."""
        try:
            with self.writer.lock:
                flatten_stored(self.settings, self.writer.warehouse, repair=True)
        except Exception as exc:
            log.error(
                "flattening stored webhook deliveries at start-up failed (retried before the next build): %s", exc
            )

    def stop(self) -> None:
        """Stop the scheduler, commit the queued journal records, stop the writer."""
        self._stop.set()
        if self._replayer is not None:
            self._replayer.join()
        self.scheduler.stop()
        realtime_journal.register(None)
        system_health.register(None)
        self.journal.close()
        self.writer.stop()
        self._scratch.close()
        self._withdraw()

    def check_health(self, at: datetime, warehouse: Warehouse | None = None) -> system_health.SystemHealth:
        """The system health at ``at`` (what alert rules with ``source: system`` judge), read through
        ``warehouse`` when given."""
        return check_system(self, at, warehouse=warehouse)

    def scratch(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the in-memory scratch database (event validation)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._scratch.cursor()
            self._local.cursor = cursor
        return cursor

    def _advertise(self) -> None:
        if not self.url:
            return
        path = discovery_path(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"url": self.url, "pid": os.getpid()}) + "\n")

    def _withdraw(self) -> None:
        path = discovery_path(self.settings)
        try:
            found: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if found.get("pid") == os.getpid():
            path.unlink(missing_ok=True)
