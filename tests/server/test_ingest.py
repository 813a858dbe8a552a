"""The live server on loopback: health, readiness, status, and POST /ingest/events into raw.events_big.

Each test runs on DuckDB and PostgreSQL. Rows are read after the server stopped (on DuckDB the
server holds the file while it runs).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.server.conftest import ServerProcess, event
from vitals.config import Settings
from vitals.warehouse import open_warehouse


def raw_events(settings: Settings) -> list[tuple[Any, ...]]:
    with open_warehouse(settings) as warehouse:
        return warehouse.query(
            "select event_id, event_name, occurred_at, properties, _ingest_source, _ingest_ts "
            "from raw.events_big order by event_id"
        )


def test_health_readiness_and_status(server: ServerProcess) -> None:
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(server.url + "/readyz").json() == {"ready": True}
    status = server.status()
    assert status["ready"] is True
    assert status["engine"] == server.settings.engine
    assert set(status["sources"]) == {
        "events_big",
        "stripe_billing_big",
        "sentry_errors_big",
        "currency_rates",
        "nps_responses",
        "crm_deals",
        "crm_activities",
        "crm_quotas",
        "marketing_spend",
        "marketing_leads",
        "support_tickets",
        "retention_campaigns",
    }
    assert status["sources"]["events_big"] == {"newest_row_loaded_at": None, "lag_seconds": None, "last_load": None}
    assert status["build"]["last"] is None and status["build"]["last_success"] is None
    assert status["build"]["interval_seconds"] > 0
    assert status["build"]["slower_than_interval"] is False
    # no source DSN configured: no pull job; the build, alerts and digest jobs are scheduled
    assert set(status["jobs"]) == {"build", "alerts", "digest"}
    assert all(job["next_run"] for job in status["jobs"].values())
    assert status["journal"]["pending_batches"] == 0
    # the Stripe receiver is mounted in the same process
    assert httpx.post(server.url + "/webhooks/stripe", content=b"{}").status_code in (400, 503)


def test_posted_events_land_in_raw_events(server: ServerProcess) -> None:
    first = server.post_events([event("evt-a1"), event("evt-a2", event_name="note_submit")])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["received"] == 2 and body["accepted"] == 2 and body["rejected"] == []
    assert body["batch_id"]
    typed = event("evt-a3", properties={"note_id": "n-1", "transcript": "patient said ..."}, _ingest_source="app")
    assert server.post_events([typed]).json()["accepted"] == 1

    status = server.wait_applied()
    events = status["sources"]["events_big"]
    assert events["newest_row_loaded_at"] is not None and events["lag_seconds"] >= 0
    assert events["last_load"]["source"] == "ingest_api"
    assert status["journal"]["applied_batches"] == 2
    server.stop()

    # the journal holds sanitized rows only: the dropped property never touched the disk
    journal = server.settings.state_dir / "journal"
    assert list(journal.glob("*.wal"))
    assert not any(b"patient said" in path.read_bytes() for path in journal.glob("*.wal"))
    rows = raw_events(server.settings)
    assert [r[:2] for r in rows] == [("evt-a1", "login"), ("evt-a2", "note_submit"), ("evt-a3", "login")]
    assert rows[0][4] == "ingest_api" and rows[0][5]  # defaults: source and the time the batch was received
    assert rows[2][4] == "app"
    assert json.loads(rows[2][3]) == {"note_id": "n-1"}  # properties reduced to the allowlist: no PHI stored


def test_invalid_rows_are_reported_and_not_stored(server: ServerProcess) -> None:
    posted = [
        event("evt-ok"),
        {"event_id": "evt-no-time", "event_name": "login"},
        event("evt-bad-time", occurred_at="yesterday-ish"),
        "not an object",
        event("evt-extra", note_text="free text"),
        event("evt-nested", org_id={"id": 1}),
    ]
    response = server.post_events(posted)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5]
    assert "occurred_at is empty, but the column is required" in reasons[1]
    assert "occurred_at is not a valid timestamp" in reasons[2]
    assert reasons[3] == "not a JSON object"
    assert "unknown field(s) note_text" in reasons[4]
    assert "org_id" in reasons[5]

    # nothing valid at all: 422, nothing journalled
    none_valid = server.post_events([{"event_id": "x"}])
    assert none_valid.status_code == 422
    assert none_valid.json()["batch_id"] is None and none_valid.json()["accepted"] == 0
    # not an array, not JSON, too many bytes
    assert server.post_events({"event_id": "x"}).status_code == 400  # type: ignore[arg-type]
    assert httpx.post(server.url + "/ingest/events", content=b"[{", headers=server.ingest_headers).status_code == 400
    server.wait_applied()
    server.stop()
    assert [r[0] for r in raw_events(server.settings)] == ["evt-ok"]


def test_body_limits(server_settings: Settings, tmp_path: Any) -> None:
    server = ServerProcess(server_settings, tmp_path, events_max_body_bytes=2048, events_max_rows=3).start()
    try:
        big = [event("evt-big", session_id="x" * 3000)]
        assert server.post_events(big).status_code == 413
        streamed = httpx.post(
            server.url + "/ingest/events",
            content=iter([json.dumps(big).encode()[:1500], json.dumps(big).encode()[1500:]]),
            headers=server.ingest_headers,
        )
        assert streamed.status_code == 413
        assert server.post_events([event(f"evt-{i}") for i in range(4)]).status_code == 413
        assert server.post_events([event(f"evt-{i}") for i in range(3)]).status_code == 200
        server.wait_applied()
    finally:
        server.stop()
    assert [r[0] for r in raw_events(server_settings)] == ["evt-0", "evt-1", "evt-2"]


def test_a_retried_batch_is_stored_once(server: ServerProcess) -> None:
    # a client that got no answer sends the same rows again (with its own _ingest_ts): same row hashes
    batch = [event(f"evt-r{i}", _ingest_ts="2026-12-01T10:00:05Z") for i in range(3)]
    first, again = server.post_events(batch), server.post_events(batch)
    assert first.status_code == again.status_code == 200
    assert first.json()["batch_id"] != again.json()["batch_id"]
    status = server.wait_applied()
    assert status["journal"]["applied_batches"] == 2
    server.stop()
    assert [r[0] for r in raw_events(server.settings)] == ["evt-r0", "evt-r1", "evt-r2"]
