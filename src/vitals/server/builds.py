"""dbt builds inside the server: the pending journal applied and the stored webhook deliveries flattened
first, then the build and the BI snapshot, under the writer lock."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vitals.bi.snapshot import publish_after_build
from vitals.config import Settings
from vitals.server.scheduler import utc_now
from vitals.server.writer import Writer
from vitals.stored_deliveries import flatten_stored
from vitals.warehouse.dbt import BuildResult, build

log = logging.getLogger("vitals.server.builds")


@dataclass
class BuildRecord:
    """The last build the server ran (scheduled or asked for)."""

    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = "running"
    as_of: datetime | None = None
    seconds: float | None = None
    error: str | None = None
    trigger: str = "schedule"
    kind: str | None = None
    """first, incremental or full (see vitals.warehouse.build_state.BuildPlan)."""
    reason: str | None = None
    """Why a full build was full."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "outcome": self.outcome,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "seconds": self.seconds,
            "error": self.error,
            "trigger": self.trigger,
            "kind": self.kind,
            "reason": self.reason,
        }


class Builder:
    """Runs builds one at a time and remembers the last one and the last success."""

    def __init__(self, settings: Settings, writer: Writer) -> None:
        self.settings = settings
        self.writer = writer
        self.last: BuildRecord | None = None
        self.last_success: BuildRecord | None = None
        self._lock = threading.Lock()

    def incremental(self) -> None:
        """The scheduled build (raises ``BuildError`` on failure, for the scheduler to record)."""
        self.run(trigger="schedule")

    def run(
        self,
        *,
        as_of: datetime | None = None,
        full_refresh: bool = False,
        select: str | None = None,
        trigger: str = "schedule",
    ) -> BuildResult:
        """Apply the pending journal, flatten the stored webhook deliveries not flattened yet, then build;
        record the outcome."""
        with self.writer.lock:
            record = BuildRecord(started_at=utc_now(), trigger=trigger)
            with self._lock:
                self.last = record
            try:
                self.writer.drain()
                self._flatten_stored()
                result = build(self.settings, as_of=as_of, full_refresh=full_refresh, select=select)
                publish_after_build(self.settings, result.as_of)  # the copy BI tools read (a failure only warns)
            except Exception as exc:
                with self._lock:
                    record.finished_at = utc_now()
                    record.outcome = "failed"
                    record.error = str(exc)
                raise
            with self._lock:
                record.finished_at = utc_now()
                record.outcome = "success"
                record.as_of = result.as_of
                record.seconds = round(result.elapsed, 3)
                record.kind = result.plan.kind
                record.reason = result.plan.reason
                self.last_success = record
        log.info("build (%s) as of %s in %.1f s", trigger, result.as_of.isoformat(), result.elapsed)
        return result

    def _flatten_stored(self) -> None:
        """Flatten the stored webhook deliveries; a failure is logged and the build goes on (the deliveries
        stay stored and the next build tries again)."""
        try:
            flatten_stored(self.settings, self.writer.warehouse)
        except Exception as exc:
            log.error("flattening stored webhook deliveries before the build failed: %s: %s", type(exc).__name__, exc)

    def status(self) -> dict[str, Any]:
        """The last build and the last successful one, the scheduled interval, and whether the last successful
        build took longer than that interval (then every scheduled build starts late: data is staler than the
        interval promises)."""
        interval = self.settings.serve.build_interval_minutes * 60
        with self._lock:
            last, success = self.last, self.last_success
        slower = success is not None and success.seconds is not None and success.seconds > interval
        return {
            "last": last.as_dict() if last else None,
            "last_success": success.as_dict() if success else None,
            "interval_seconds": interval,
            "slower_than_interval": slower,
            "warning": (
                f"the last build took {success.seconds:.0f} s, longer than the {interval:.0f} s build interval: "
                "scheduled builds run back to back and data is older than the interval"
                if slower and success is not None and success.seconds is not None
                else None
            ),
        }
