"""Rules: the shipped defaults load, user files override by name, and every mistake names file, rule and field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.alerts.series import write_rules
from tests.conftest import make_settings
from vitals.alerts.conditions import Point, judge, robust_z
from vitals.alerts.durations import format_duration, parse_duration
from vitals.alerts.rules import DEFAULT_RULES_FILE, Rule, RulesError, load_rules, read_rules_file
from vitals.alerts.settings import AlertSettings


def base(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": "r",
        "metric": "dad",
        "condition": {"type": "threshold", "op": "<", "value": 1},
        "routes": ["cs"],
    }
    rule.update(changes)
    return rule


def error_of(tmp_path: Path, *rules: dict[str, Any]) -> str:
    path = Path(write_rules(tmp_path / "mine.yml", *rules))
    with pytest.raises(RulesError) as caught:
        read_rules_file(path)
    return str(caught.value)


def test_defaults_carry_the_seed_thresholds() -> None:
    rules = {r.name: r for r in read_rules_file(DEFAULT_RULES_FILE)}
    assert set(rules) == {
        "quality_pass_rate_hourly_low",
        "turnaround_p50_high_15m",
        "summarize_p50_high_15m",
        "error_rate_spike",
        "turnaround_slow",
        "summarization_slow",
        "dad_drop",
        "org_health_critical",
        "org_nps_negative",
        "nps_negative",
        "deals_stalled",
        "pipeline_coverage_low",
        "cac_payback_long",
        "jobs_volume_anomaly",
        "system_degraded",
    }
    page = rules["quality_pass_rate_hourly_low"]
    assert (page.metric, page.condition.describe(), page.window, page.severity, page.routes) == (
        "quality_pass_rate_hourly",
        "< 0.8",
        timedelta(hours=1),
        "critical",
        ("oncall",),
    )
    assert page.realtime and page.clear == 0.85
    for name, metric, window, value in (
        ("turnaround_p50_high_15m", "duration_ms_p50", timedelta(minutes=15), "> 600000"),
        ("summarize_p50_high_15m", "summarize_ms_p50", timedelta(minutes=15), "> 180000"),
    ):
        rule = rules[name]
        assert (rule.metric, rule.window, rule.condition.describe(), rule.routes, rule.realtime) == (
            metric,
            window,
            value,
            ("oncall",),
            True,
        )
    assert rules["error_rate_spike"].condition.describe() == "3x the same hour last week or more and 5 above it"
    assert rules["turnaround_slow"].condition.describe() == "> 600000"
    assert rules["summarization_slow"].condition.describe() == "> 180000"
    assert rules["dad_drop"].condition.describe() == "down 20% or more vs the trailing 1w mean"
    assert (rules["org_health_critical"].scope, rules["org_health_critical"].routes) == ("org", ("cs_urgent",))
    nps = rules["org_nps_negative"]
    assert (nps.metric, nps.scope, nps.condition.describe(), nps.routes) == ("nps", "org", "< 0", ("cs",))
    assert nps.min_volume is not None and (nps.min_volume.metric, nps.min_volume.at_least) == ("nps_responses", 5)
    sales = {n: rules[n] for n in ("deals_stalled", "pipeline_coverage_low", "cac_payback_long")}
    assert {n: (r.metric, r.condition.describe(), r.routes) for n, r in sales.items()} == {
        "deals_stalled": ("sales_stalled_deals", "> 0", ("sales",)),
        "pipeline_coverage_low": ("sales_pipeline_coverage", "< 3", ("sales",)),
        "cac_payback_long": ("marketing_cac_payback_months", "> 18", ("sales",)),
    }
    company = rules["nps_negative"]
    assert (company.scope, company.condition.describe(), company.routes) == ("global", "< 0", ("cs_urgent",))
    assert company.min_volume is not None and company.min_volume.at_least == 30


def test_user_file_overrides_and_disables_by_name(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path / "mine.yml",
        base(name="dad_drop", condition={"type": "change", "direction": "down", "percent": 30}),
        base(name="turnaround_slow", enabled=False),
        base(name="my_rule"),
    )
    settings = make_settings("duckdb", tmp_path, alerts=AlertSettings(rules_file=path))
    rules = {r.name: r for r in load_rules(settings)}
    assert "turnaround_slow" not in rules and "my_rule" in rules
    assert rules["dad_drop"].condition.describe().startswith("down 30%")
    assert len(load_rules(settings, include_disabled=True)) == 16


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (base(metric="dadd"), "rule r: metric: no metric named 'dadd'; did you mean dad"),
        (base(metric="health_move_points"), "rule r: metric: no metric named"),
        (base(metric="freshness_lag_sec"), "rule r: metric: freshness_lag_sec is computed in mart_data_health"),
        (base(metric="health_orgs_critical", scope="org"), "rule r: scope: health_orgs_critical has no org grain"),
        (base(window="ten minutes"), "rule r: window: Value error, 'ten minutes' is not a duration"),
        (base(**{"for": "-1h"}), "rule r: for: Value error"),
        (base(severity="urgent"), "rule r: severity: Input should be 'critical', 'high', 'medium' or 'low'"),
        (base(routes=[]), "rule r: routes:"),
        (base(condition={"type": "trend"}), "rule r: condition:"),
        (base(condition={"type": "threshold", "op": "=", "value": 1}), "rule r: condition.op:"),
        (base(condition={"type": "anomaly", "direction": "down", "weeks": 2, "min_history": 3}), "cannot exceed"),
        (base(min_volume={"metric": "nope", "at_least": 5}), "rule r: min_volume.metric: no metric named 'nope'"),
        (
            base(metric="quality_pass_rate_hourly", min_volume={"metric": "dad", "at_least": 5}),
            "rule r: min_volume.metric: an hourly rule counts one of attempt_events",
        ),
        (base(active_hours={"start": "18:00", "end": "08:00"}), "rule r: active_hours: Value error, end"),
        (base(colour="red"), "rule r: colour: Extra inputs are not permitted"),
        (base(source="realtime"), "rule r: metric: a real-time rule watches one of quality_pass_rate_hourly"),
        (
            base(source="realtime", metric="duration_ms_p50", window="3h"),
            "rule r: window: a real-time window is at most 2h",
        ),
        (
            base(
                source="realtime",
                metric="duration_ms_p50",
                condition={"type": "change", "direction": "up", "percent": 5},
            ),
            "rule r: condition: a real-time rule has a threshold or spike condition",
        ),
        (
            base(
                source="realtime", metric="duration_ms_p50", window="15m", min_volume={"metric": "dad", "at_least": 5}
            ),
            "rule r: min_volume.metric: a real-time rule counts one of successful_jobs",
        ),
        (
            base(source="realtime", metric="quality_pass_rate_hourly", window="1h", clear=0.7),
            "rule r: clear: must be at least the threshold 1",
        ),
        (
            base(
                source="realtime",
                metric="error_rate_per_100_attempts_hourly",
                window="1h",
                condition={"type": "spike", "factor": 3},
                clear=4,
            ),
            "rule r: clear: a spike clears at a factor above 0 and at most 3",
        ),
        (base(condition={"type": "spike", "factor": 2}), "rule r: a spike condition and clear are for real-time rules"),
        (base(clear=2), "rule r: a spike condition and clear are for real-time rules"),
    ],
)
def test_invalid_rules_name_file_rule_and_field(tmp_path: Path, rule: dict[str, Any], message: str) -> None:
    error = error_of(tmp_path, rule)
    assert error.startswith(str(tmp_path / "mine.yml"))
    assert message in error


def test_duplicate_names_and_bad_yaml(tmp_path: Path) -> None:
    assert "rule r: name: defined twice" in error_of(tmp_path, base(), base())
    bad = tmp_path / "bad.yml"
    bad.write_text("rules: [\n")
    with pytest.raises(RulesError, match="not valid YAML"):
        read_rules_file(bad)
    with pytest.raises(RulesError, match="cannot read the rules file"):
        read_rules_file(tmp_path / "missing.yml")


def test_durations() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("0") == timedelta(0)
    assert format_duration(timedelta(days=7)) == "1w"
    with pytest.raises(ValueError):
        parse_duration("2 hours")


def test_robust_z_ignores_one_outlier_in_history() -> None:
    history = [100.0, 102.0, 98.0, 400.0]  # one freak week does not widen the band
    assert robust_z(60.0, history) < -3.5
    assert abs(robust_z(101.0, history)) < 1
    assert robust_z(5.0, [10.0, 10.0, 10.0]) == float("-inf")


def test_change_needs_a_baseline() -> None:
    rule = Rule.model_validate(
        base(condition={"type": "change", "direction": "down", "percent": 20, "baseline": "7d"}, window="1d")
    )
    now = datetime(2026, 11, 10, 6, tzinfo=UTC)
    midnight = datetime(2026, 11, 10, tzinfo=UTC)
    points = [Point(midnight, 50.0), Point(midnight - timedelta(days=1), 100.0)]
    verdict = judge(rule, points, now, ZoneInfo("UTC"))
    assert verdict.kind == "nodata" and "needs 3" in verdict.reason
    points += [Point(midnight - timedelta(days=d), 100.0) for d in (2, 3)]
    assert judge(rule, points, now, ZoneInfo("UTC")).kind == "breach"
