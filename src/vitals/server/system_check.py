"""The running server's system health (``vitals.system_health``): the facts it knows of itself, judged against
the ``[system_health]`` settings.

Source freshness is the lag of each raw table's newest row (``_loaded_at``, when vitals landed it); builds
are the server's own (``Builder``); the backlog is the journal's records not applied yet (``Writer``); failed
deliveries are the ``alerts.notifications`` rows whose delivery failed after every retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from vitals.alerts.state import SCHEMA as ALERTS_SCHEMA
from vitals.alerts.state import naive, utc
from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, LOADS, RAW_SCHEMA, RAW_TABLES
from vitals.system_health import BuildFacts, DeliveryFacts, Facts, JournalFacts, SystemHealth, assess
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

if TYPE_CHECKING:
    from vitals.server.builds import Builder
    from vitals.server.runtime import Runtime
    from vitals.server.writer import Writer

_LOADED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def check_system(
    runtime: Runtime,
    now: datetime,
    *,
    sources: dict[str, Any] | None = None,
    warehouse: Warehouse | None = None,
) -> SystemHealth:
    """The system health at ``now``; ``sources``: ``source_freshness`` when the caller has it already;
    ``warehouse``: a connection to read through (default: one of its own)."""
    settings = runtime.settings
    with _connection(settings, warehouse) as connection:
        found = sources if sources is not None else source_freshness(runtime, now, connection)
        since = now - timedelta(hours=settings.system_health.delivery_failures_hours)
        deliveries = failed_deliveries(connection, since)
    facts = Facts(
        source_lags={name: source.get("lag_seconds") for name, source in found.items()},
        build=build_facts(runtime.builder, runtime.started_at),
        journal=journal_facts(runtime.writer),
        deliveries=deliveries,
    )
    return assess(facts, settings.system_health, now)


def source_freshness(runtime: Runtime, now: datetime, warehouse: Warehouse | None = None) -> dict[str, Any]:
    """Per raw table: newest row's landing time, its lag in seconds, and the latest load."""
    found: dict[str, Any] = {}
    with _connection(runtime.settings, warehouse) as connection:
        for name in RAW_TABLES:
            newest = connection.query(f"select max({LOADED_AT_COLUMN}) from {RAW_SCHEMA}.{name}")[0][0]
            load = connection.query(
                f"select source, rows_read, rows_inserted, finished_at from {RAW_SCHEMA}.{LOADS.name} "
                "where table_name = ? order by finished_at desc limit 1",
                [name],
            )
            lag = None
            if newest:
                landed = datetime.strptime(newest, _LOADED_AT_FORMAT).replace(tzinfo=UTC)
                lag = round(max((now - landed).total_seconds(), 0.0), 3)
            found[name] = {
                "newest_row_loaded_at": newest,
                "lag_seconds": lag,
                "last_load": (
                    {"source": load[0][0], "rows_read": load[0][1], "rows_inserted": load[0][2], "at": load[0][3]}
                    if load
                    else None
                ),
            }
    return found


def build_facts(builder: Builder, running_since: datetime) -> BuildFacts:
    """The last build, the last successful one, and whether that one took longer than the interval."""
    last, success = builder.last, builder.last_success
    interval = builder.settings.serve.build_interval_minutes * 60
    slow = success.seconds if success is not None and success.seconds is not None else None
    return BuildFacts(
        interval_seconds=interval,
        running_since=running_since,
        last_success_at=success.finished_at if success is not None else None,
        last_failed_at=last.finished_at if last is not None and last.outcome == "failed" else None,
        slow_build_seconds=slow if slow is not None and slow > interval else None,
    )


def journal_facts(writer: Writer) -> JournalFacts:
    """How many accepted batches wait to be written, and since when the oldest of them."""
    records = writer.pending_records()
    if not records:
        return JournalFacts()
    oldest = min(record.received_at for record in records)
    return JournalFacts(len(records), datetime.strptime(oldest, _LOADED_AT_FORMAT).replace(tzinfo=UTC))


def failed_deliveries(warehouse: Warehouse, since: datetime) -> DeliveryFacts:
    """The alert notifications whose delivery failed (after every retry) at or after ``since``."""
    if not warehouse.table_exists(ALERTS_SCHEMA, "notifications"):
        return DeliveryFacts()
    rows = warehouse.query(
        f"select route, count(*), max(coalesce(finished_at, created_at)) from {ALERTS_SCHEMA}.notifications "
        "where status = 'failed' and coalesce(finished_at, created_at) >= ? group by route order by route",
        [naive(since)],
    )
    if not rows:
        return DeliveryFacts()
    last = max((at for at in (utc(row[2]) for row in rows) if at is not None), default=None)
    return DeliveryFacts(sum(int(row[1]) for row in rows), last, tuple(str(row[0]) for row in rows))


@contextmanager
def _connection(settings: Settings, warehouse: Warehouse | None) -> Iterator[Warehouse]:
    """The given connection, or one of our own closed afterwards."""
    if warehouse is not None:
        yield warehouse
        return
    with open_warehouse(settings) as own:
        yield own
