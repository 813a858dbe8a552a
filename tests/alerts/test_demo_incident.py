"""End to end on generated data: the generator's quality incident, built by dbt, pages on-call exactly once
through the default rules; evaluating again pages nobody; the next good hour resolves it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.alerts.generated import Built
from tests.alerts.receivers import Receiver, serve
from vitals.alerts import evaluate
from vitals.alerts.settings import AlertSettings
from vitals.config import Settings

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
