"""The server's system health: gathered from its builder, journal backlog, the raw tables' freshness and the
alert notifications that failed (DuckDB and PostgreSQL), and served by a real `vitals serve` in
``GET /api/v1/status`` next to every field it had before."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.conftest import make_settings
from tests.realtime.rows import event, land
from tests.server.conftest import ServerProcess, wait_for
from vitals.alerts.state import AlertStore, NotificationRow
from vitals.config import Settings
from vitals.server.builds import Builder, BuildRecord
from vitals.server.journal import JournalRecord
from vitals.server.system_check import check_system, failed_deliveries
from vitals.warehouse import open_warehouse

NOW = datetime.now(UTC).replace(microsecond=0)


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def add_notification(settings: Settings, status: str, at: datetime, route: str = "oncall") -> None:
    with open_warehouse(settings) as warehouse:
        store = AlertStore(warehouse)
        store.ensure_tables()
        store.add_notification(
            NotificationRow(
                f"n-{status}-{at.timestamp()}-{route}",
                at,
                "quality_pass_rate_hourly_low",
                "global",
                "vitals/quality_pass_rate_hourly_low/global",
                "firing",
                route,
                {"summary": "x"},
                status=status,
                attempts=5,
                finished_at=at,
            )
        )


@dataclass
class PendingWriter:
    """What the check reads of the writer: the journal records not applied yet."""

    records: list[JournalRecord] = field(default_factory=list)

    def pending_records(self) -> list[JournalRecord]:
        return list(self.records)


def runtime_of(settings: Settings, builder: Builder, writer: PendingWriter, started_at: datetime) -> Any:
    return SimpleNamespace(settings=settings, builder=builder, writer=writer, started_at=started_at)


def test_the_check_reads_builds_backlog_freshness_and_failed_deliveries(engine_settings: Settings) -> None:
    settings = engine_settings
    land(settings, events=[event("e-1", "login", NOW - timedelta(hours=3))])
    with open_warehouse(settings) as warehouse:  # the newest App event landed 2 hours ago
        warehouse.execute("update raw.events_big set _loaded_at = ?", [_text(NOW - timedelta(hours=2))])
    add_notification(settings, "failed", NOW - timedelta(minutes=30), "oncall")
    add_notification(settings, "failed", NOW - timedelta(hours=3), "cs")
    add_notification(settings, "failed", NOW - timedelta(days=2), "cs")  # before the window
    add_notification(settings, "unrouted", NOW - timedelta(minutes=5), "eng_ops")  # not configured: not a failure
    add_notification(settings, "sent", NOW - timedelta(minutes=5))

    builder = Builder(settings, writer=None)  # type: ignore[arg-type]
    builder.last_success = BuildRecord(
        started_at=NOW - timedelta(minutes=20), finished_at=NOW - timedelta(minutes=19), outcome="success", seconds=60
    )
    builder.last = BuildRecord(
        started_at=NOW - timedelta(minutes=3), finished_at=NOW - timedelta(minutes=2), outcome="failed", error="boom"
    )
    waiting = JournalRecord("b-1", "events_big", _text(NOW - timedelta(minutes=20)), [])
    writer = PendingWriter([JournalRecord("b-2", "events_big", _text(NOW - timedelta(minutes=1)), []), waiting])

    health = check_system(runtime_of(settings, builder, writer, NOW - timedelta(days=1)), NOW)

    assert health.status == "warning" and health.checked_at == NOW
    found = {r.code: r for r in health.reasons}
    assert set(found) == {"source_stale", "build_failed", "journal_backlog", "alert_delivery_failed"}
    assert found["source_stale"].subject == "events_big"
    assert found["source_stale"].message == "No new data from App events for 2 hours (expected within 1 hour)."
    assert found["build_failed"].message.startswith("The last build failed 2 minutes ago")
    assert found["journal_backlog"].message == (
        "Events accepted 20 minutes ago are still waiting to be written to the warehouse (2 batches waiting)."
    )
    assert found["alert_delivery_failed"].message == (
        "2 alert notifications through the cs, oncall routes were not delivered in the last 24 hours, "
        "the last 30 minutes ago."
    )

    # a third failure within the window makes it Degraded
    add_notification(settings, "failed", NOW - timedelta(minutes=1), "oncall")
    with open_warehouse(settings) as warehouse:
        facts = failed_deliveries(warehouse, NOW - timedelta(days=1))
        assert (facts.failed, facts.routes) == (3, ("cs", "oncall"))
        degraded = check_system(runtime_of(settings, builder, PendingWriter(), NOW), NOW, warehouse=warehouse)
    assert degraded.status == "degraded"
    assert [r.code for r in degraded.reasons if r.level == "degraded"] == ["alert_delivery_failed"]


def test_no_alert_tables_and_no_rows_is_healthy(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
    builder = Builder(settings, writer=None)  # type: ignore[arg-type]
    health = check_system(runtime_of(settings, builder, PendingWriter(), NOW - timedelta(minutes=10)), NOW)
    assert (health.status, health.reasons) == ("healthy", ())


def test_status_serves_the_system_health(duckdb_settings: Settings, tmp_path: Path) -> None:
    add_notification(duckdb_settings, "failed", datetime.now(UTC) - timedelta(minutes=3), "oncall")
    server = ServerProcess(duckdb_settings, tmp_path)
    # App events are expected every 0.6 s here, and Degraded only past a year
    server.env["VITALS_SYSTEM_HEALTH__SOURCE_LAG_MINUTES"] = json.dumps({"events_big": 0.01})
    server.env["VITALS_SYSTEM_HEALTH__SOURCE_LAG_DEGRADED_FACTOR"] = "100000000"
    server.start()
    try:
        status = server.status()
        assert {"ready", "engine", "now", "sources", "build", "jobs", "journal"} <= set(status)
        health = status["system_health"]
        assert health["status"] == "warning"  # no App event yet: not judged; the failed delivery is
        assert [r["code"] for r in health["reasons"]] == ["alert_delivery_failed"]
        assert "through the oncall route was not delivered" in health["reasons"][0]["message"]
        assert datetime.fromisoformat(health["checked_at"]) >= datetime.fromisoformat(status["now"]) - timedelta(
            seconds=1
        )

        response = server.post_events(
            [{"event_id": "sh-1", "event_name": "login", "occurred_at": "2026-12-01T10:00:00Z"}]
        )
        assert response.status_code == 200, response.text
        server.wait_applied()

        def stale() -> dict[str, Any] | None:
            found = server.status()["system_health"]
            return found if any(r["code"] == "source_stale" for r in found["reasons"]) else None

        health = wait_for("App events to be judged stale", stale, timeout=30)
        assert health["status"] == "warning"
        reason = next(r for r in health["reasons"] if r["code"] == "source_stale")
        assert (reason["level"], reason["subject"]) == ("warning", "events_big")
        assert reason["message"].startswith("No new data from App events for ")
    finally:
        server.stop()
