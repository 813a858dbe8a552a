"""The shipped ``system_degraded`` rule (seed 003: system degraded pages eng-ops): the server's own status judged
at each tick, firing after 15 minutes of Degraded and not before, never on Warning, resolving when the status
recovers; no data outside the server; and what a rule with ``source: system`` may say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.alerts.series import write_rules
from vitals import system_health
from vitals.alerts import evaluate
from vitals.alerts.rules import DEFAULT_RULES_FILE, RulesError, read_rules_file
from vitals.alerts.state import AlertStore
from vitals.system_health import Reason, SystemHealth
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
STALE = Reason("source_stale", "degraded", "No new data from App events for 5 hours (expected within 1 hour).")
LATE = Reason("build_stale", "warning", "The data was last refreshed 40 minutes ago (builds run every 5 minutes).")


def shipped_rule() -> dict[str, Any]:
    """The default rule as shipped, routed to the test receiver."""
    rules = yaml.safe_load(DEFAULT_RULES_FILE.read_text())["rules"]
    rule = next(r for r in rules if r["name"] == "system_degraded")
    assert (rule["metric"], rule["source"], rule["condition"], rule["for"]) == (
        "system_health",
        "system",
        {"type": "threshold", "op": ">=", "value": 2},
        "15m",
    )
    assert (rule["severity"], rule["routes"]) == ("critical", ["eng_ops"])
    return {**rule, "routes": ["hook"]}


class FakeServer:
    """Stands in for `vitals serve`'s check: the reasons it reports now, and the connections it was given."""

    def __init__(self) -> None:
        self.reasons: tuple[Reason, ...] = ()
        self.connections: list[Warehouse | None] = []

    def __call__(self, at: datetime, warehouse: Warehouse | None) -> SystemHealth:
        self.connections.append(warehouse)
        return SystemHealth(self.reasons, at)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    system_health.register(fake)
    try:
        yield fake
    finally:
        system_health.register(None)


def test_degraded_for_15_minutes_pages_and_not_before(make_timeline: Any, server: FakeServer) -> None:
    tl = make_timeline(shipped_rule())
    assert tl.kinds(T0) == []  # healthy
    server.reasons = (STALE, LATE)
    start = T0 + timedelta(minutes=1)
    for minutes in (0, 5, 10, 14):
        assert tl.kinds(start + timedelta(minutes=minutes)) == [], f"paged after {minutes} minutes"
    sent = tl.tick(start + timedelta(minutes=15))
    assert [n["kind"] for n in sent] == ["firing"]
    page = sent[0]
    assert (page["rule"], page["severity"], page["scope"], page["value"]) == (
        "system_degraded",
        "critical",
        "global",
        2,
    )
    assert page["reason"] == f"Degraded: {STALE.message} {LATE.message}"
    assert page["metric_label"] == "System health"
    assert all(connection is not None for connection in server.connections)  # read through the evaluation's own
    assert tl.kinds(start + timedelta(minutes=30)) == []  # repeats hourly, not every tick
    # back to Warning: resolved
    server.reasons = (LATE,)
    assert tl.kinds(start + timedelta(minutes=31)) == ["resolved"]
    with open_warehouse(tl.settings) as wh:
        state = AlertStore(wh).states()[("system_degraded", "global")]
    assert (state.state, state.value, state.reason) == ("resolved", 1.0, f"Warning: {LATE.message}")


def test_warning_never_pages_and_a_break_in_degraded_starts_the_15_minutes_again(
    make_timeline: Any, server: FakeServer
) -> None:
    tl = make_timeline(shipped_rule())
    server.reasons = (LATE,)
    for minutes in range(0, 121, 20):
        assert tl.kinds(T0 + timedelta(minutes=minutes)) == []
    server.reasons = (STALE,)
    assert tl.kinds(T0 + timedelta(hours=3)) == []
    assert tl.kinds(T0 + timedelta(hours=3, minutes=10)) == []
    server.reasons = (LATE,)  # 11 minutes of Warning in between
    assert tl.kinds(T0 + timedelta(hours=3, minutes=11)) == []
    server.reasons = (STALE,)
    assert tl.kinds(T0 + timedelta(hours=3, minutes=12)) == []
    assert tl.kinds(T0 + timedelta(hours=3, minutes=26)) == []  # 14 minutes since Degraded came back
    assert tl.kinds(T0 + timedelta(hours=3, minutes=27)) == ["firing"]


def test_outside_the_server_the_rule_has_no_data_and_sends_nothing(make_timeline: Any) -> None:
    tl = make_timeline(shipped_rule())
    for minutes in (0, 20, 40):
        assert tl.kinds(T0 + timedelta(minutes=minutes)) == []
    report = evaluate(tl.settings, T0 + timedelta(hours=1))
    (result,) = [r for r in report.results if r.rule == "system_degraded"]
    assert (result.state, result.value) == ("nodata", None)
    assert result.reason == "the system health is known to the running server only"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"metric": "dad"}, "rule s: metric: a system rule watches one of system_health"),
        ({"scope": "org"}, "rule s: scope: a system rule is global"),
        (
            {"condition": {"type": "change", "direction": "up", "percent": 10}},
            "rule s: condition: a system rule has a threshold condition",
        ),
        ({"min_volume": {"metric": "successful_jobs", "at_least": 1}}, "rule s: min_volume: not used by a system rule"),
        ({"skip_days": ["sat"]}, "rule s: skip_days: not used by a system rule"),
        ({"clear": 1}, "rule s: clear: not used by a system rule"),
        ({"source": "warehouse"}, "rule s: metric: system_health is the running server's own status"),
    ],
)
def test_what_a_system_rule_may_say(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    rule: dict[str, Any] = {
        "name": "s",
        "metric": "system_health",
        "source": "system",
        "condition": {"type": "threshold", "op": ">=", "value": 1},
        "routes": ["eng_ops"],
        **changes,
    }
    path = Path(write_rules(tmp_path / "mine.yml", rule))
    with pytest.raises(RulesError) as caught:
        read_rules_file(path)
    assert message in str(caught.value)


def test_a_warning_rule_of_ones_own_is_valid(tmp_path: Path) -> None:
    path = Path(
        write_rules(
            tmp_path / "mine.yml",
            {
                "name": "system_warning",
                "metric": "system_health",
                "source": "system",
                "condition": {"type": "threshold", "op": ">=", "value": 1},
                "for": "1h",
                "severity": "medium",
                "routes": ["eng_ops"],
            },
        )
    )
    (rule,) = read_rules_file(path)
    assert rule.system and not rule.realtime and not rule.hourly
