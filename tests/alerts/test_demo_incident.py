"""End to end on generated data: the generator's quality incident, built by dbt, pages on-call exactly once
through the default rules; evaluating again pages nobody; the next good hour resolves it. The demo's live
incident (placed at its as-of time) fires at any hour and shows on the executive and reliability pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tests.alerts.generated import Built
from tests.alerts.receivers import Receiver, serve
from vitals.alerts import evaluate
from vitals.alerts.settings import AlertSettings
from vitals.api.tokens import TokenStore
from vitals.config import Settings
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.server.app import create_app
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

ROUTING_KEY = "0123456789abcdef0123456789abcdef"


def test_generated_quality_incident_pages_oncall_once(tmp_path: Path, generated: Built) -> None:
    made = generated.made
    with serve(Receiver("pagerduty")) as pd:
        settings = Settings(
            warehouse=generated.copy_to(tmp_path),
            state_dir=tmp_path / "state",
            alerts=AlertSettings(routes={"oncall": {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": pd.url}}),
        )
        first_hour_over = made.incident_start + timedelta(hours=1, minutes=5)
        report = evaluate(settings, first_hour_over)
        page = [r for r in report.results if r.rule == "quality_pass_rate_hourly_low"]
        assert [(r.scope, r.state) for r in page] == [("global", "firing")], page
        evaluate(settings, first_hour_over + timedelta(minutes=10))
        evaluate(settings, first_hour_over + timedelta(minutes=50))  # the next tick of the same hour: no repeat yet
        bodies = pd.bodies()
        assert [(b["event_action"], b["dedup_key"]) for b in bodies] == [
            ("trigger", "vitals/quality_pass_rate_hourly_low/global")
        ]
        assert bodies[0]["payload"]["severity"] == "critical"
        after = evaluate(settings, made.incident_end + timedelta(hours=1, minutes=5))
        assert [b["event_action"] for b in pd.bodies()] == ["trigger", "resolve"]
        assert {r.state for r in after.results if r.rule == "quality_pass_rate_hourly_low"} == {"resolved"}


def test_live_incident_fires_at_night_and_shows_on_the_dashboard(tmp_path: Path) -> None:
    # the demo's as-of time: 03:00 in Los Angeles, when the generated orgs complete few jobs of their own
    as_of = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    made = generate(
        tmp_path / "data",
        orgs=6,
        days=14,
        seed=3,
        fmt="parquet",
        end=date(2026, 11, 30),
        progress=False,
        incident_at=as_of,
    )
    assert (made.incident_start, made.incident_end) == (as_of - timedelta(hours=3), as_of + timedelta(hours=1))
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / "state")
    load_directory(settings, tmp_path / "data", progress=False)
    assert build(settings, as_of=as_of).success
    report = evaluate(settings, as_of)
    firing = {r.rule: r for r in report.firing()}
    assert "quality_pass_rate_hourly_low" in firing, report.results
    assert (
        firing["quality_pass_rate_hourly_low"].value is not None and firing["quality_pass_rate_hourly_low"].value < 0.8
    )
    with open_warehouse(settings) as wh:
        token = TokenStore(wh).create("admin", name="demo")[1]
    with TestClient(create_app(settings)) as client:
        assert client.post("/login", data={"token": token, "next": "/"}, follow_redirects=False).status_code == 303
        for path in ("/", "/reliability"):
            page = client.get(path)
            assert page.status_code == 200
            assert "quality_pass_rate_hourly_low" in page.text, path
        # the daily cards keep the daily rules' thresholds as their SLOs
        assert "SLO 10 min (Turnaround slow)" in client.get("/reliability").text
