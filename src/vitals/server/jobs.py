"""The scheduled jobs of `vitals serve`: Postgres pull, incremental build, alerts and digest hooks.

Every job that writes takes the writer lock, so pulls, journal applies and builds never interleave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import time

from vitals.config import Settings
from vitals.server import hooks
from vitals.server.builds import Builder
from vitals.server.scheduler import Every, Job, Weekly
from vitals.server.settings import WEEKDAYS
from vitals.server.writer import Writer

log = logging.getLogger("vitals.server.jobs")

PULL, BUILD, ALERTS, DIGEST = "postgres_pull", "build", "alerts", "digest"


@dataclass
class PullJob:
    """Incremental pull of the app's events_big from ``serve.source_dsn``."""

    settings: Settings
    writer: Writer

    def __call__(self) -> None:
        from vitals.ingest.postgres import ingest_postgres

        serve = self.settings.serve
        with self.writer.lock:
            report = ingest_postgres(
                self.settings,
                serve.source_dsn,
                table=serve.source_table,
                cursor_column=serve.source_cursor_column,
                progress=False,
            )
        log.info("postgres pull: %d rows read, %d inserted", report.rows_read, report.rows_inserted)


def scheduled_jobs(settings: Settings, writer: Writer, builder: Builder) -> list[Job]:
    """The jobs the settings ask for (the pull only when a source DSN is set)."""
    serve = settings.serve
    jobs: list[Job] = []
    if serve.source_dsn:
        jobs.append(Job(PULL, PullJob(settings, writer), Every(serve.pull_interval_minutes * 60, at_start=True)))
    jobs.append(Job(BUILD, builder.incremental, Every(serve.build_interval_minutes * 60)))
    jobs.append(Job(ALERTS, lambda: _run(hooks.alerts, settings), Every(serve.alerts_interval_minutes * 60)))
    hour, minute = (int(part) for part in serve.digest_time.split(":"))
    weekly = Weekly(WEEKDAYS.index(serve.digest_weekday), time(hour, minute), settings.timezone)
    jobs.append(Job(DIGEST, lambda: _run(hooks.digest, settings), weekly))
    return jobs


def _run(registry: hooks.HookRegistry, settings: Settings) -> None:
    ran = registry.run(settings)
    log.debug("%s: %d hook(s) ran", registry.name, ran)
