"""Timeline tests, Alertmanager-acceptance style: a synthetic series, ticks, and the notifications expected at
each tick. Run on DuckDB and on PostgreSQL: the state lives in the warehouse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.alerts.conftest import SECRET, alert_settings
from tests.alerts.receivers import Receiver
from tests.alerts.series import create_tables, put_daily, put_hour
from vitals.alerts import evaluate
from vitals.alerts.engine import _tick
from vitals.alerts.manage import NotFiring, acknowledge, silence
from vitals.alerts.rules import load_rules
from vitals.alerts.source import WarehouseSource
from vitals.alerts.state import AlertStore
from vitals.warehouse import open_warehouse

DAY = date(2026, 11, 10)  # a Tuesday


def quality_rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": "quality_low",
        "metric": "quality_pass_rate_hourly",
        "scope": "global",
        "condition": {"type": "threshold", "op": "<", "value": 0.8},
        "window": "1h",
        "for": "2h",
        "min_volume": {"metric": "successful_jobs", "at_least": 20},
        "severity": "critical",
        "routes": ["hook"],
        "repeat_interval": "3h",
    }
    rule.update(changes)
    return rule


def at(hour: int, minute: int = 5, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def hour(h: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h)


def bad_hours(settings: Any, rates: dict[int, float], jobs: int = 40) -> None:
    for h, rate in rates.items():
        put_hour(settings, hour(h), jobs=jobs, passed=round(rate * jobs))


def states(settings: Any) -> dict[tuple[str, str], str]:
    with open_warehouse(settings) as wh:
        return {k: v.state for k, v in AlertStore(wh).states().items()}


def test_pending_then_firing_after_for_then_repeat_then_resolve(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule())
    bad_hours(tl.settings, {8: 0.95, 9: 0.5, 10: 0.5, 11: 0.5, 12: 0.5, 13: 0.5, 14: 0.5, 15: 0.95})
    expected = {9: [], 10: [], 11: [], 12: ["firing"], 13: [], 14: [], 15: ["repeat"], 16: ["resolved"]}
    got = {}
    seen_states = {}
    for h in expected:
        got[h] = tl.kinds(at(h))
        seen_states[h] = states(tl.settings)[("quality_low", "global")]
    assert got == expected
    assert seen_states == {
        9: "inactive",
        10: "pending",
        11: "pending",
        12: "firing",
        13: "firing",
        14: "firing",
        15: "firing",
        16: "resolved",
    }
    with open_warehouse(tl.settings) as wh:
        changes = [(c["from_state"], c["to_state"]) for c in reversed(AlertStore(wh).history())]
    assert changes == [("inactive", "pending"), ("pending", "firing"), ("firing", "resolved")]


def test_one_notification_per_incident_with_one_dedup_key_and_rerun_sends_nothing(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "0m"}))
    bad_hours(tl.settings, {9: 0.4, 10: 0.95})
    first = tl.tick(at(10))
    assert [n["kind"] for n in first] == ["firing"]
    assert tl.tick(at(10)) == []  # the same tick again
    assert tl.tick(at(10, 30)) == []  # a later tick of the same hour
    resolved = tl.tick(at(11))
    assert [n["status"] for n in resolved] == ["resolved"]
    assert first[0]["dedup_key"] == resolved[0]["dedup_key"] == "vitals/quality_low/global"
    assert first[0]["value"] == 0.4 and first[0]["severity"] == "critical"


def test_pending_that_recovers_before_for_never_notifies(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule())
    bad_hours(tl.settings, {9: 0.5, 10: 0.95, 11: 0.5, 12: 0.95})
    assert [tl.kinds(at(h)) for h in (10, 11, 12, 13)] == [[], [], [], []]
    assert states(tl.settings)[("quality_low", "global")] == "inactive"


def test_restart_between_commit_and_delivery_delivers_once(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "1h"}))
    bad_hours(tl.settings, {9: 0.5, 10: 0.5, 11: 0.5, 12: 0.95})
    assert tl.kinds(at(10)) == []  # pending
    # the process dies after the tick committed its state and outbox, before delivering
    with open_warehouse(tl.settings) as wh:
        store = AlertStore(wh)
        report = _tick(tl.settings, load_rules(tl.settings), store, WarehouseSource(wh, tl.tz), at(11), tl.tz)
    assert [n.status for n in report.notifications] == ["pending"]
    assert tl.webhook_count() == 0
    # the restarted process: the pending notification goes out once, the state is kept (no second firing)
    assert tl.kinds(at(11, 10)) == ["firing"]
    assert tl.kinds(at(11, 20)) == []
    assert states(tl.settings)[("quality_low", "global")] == "firing"
    assert tl.kinds(at(13)) == ["resolved"]


def test_silence_holds_firing_and_it_goes_out_when_the_silence_ends(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "0m"}))
    bad_hours(tl.settings, {9: 0.5, 10: 0.5, 11: 0.5, 12: 0.5, 13: 0.95})
    silence(tl.settings, "quality_low", org=None, duration=timedelta(hours=2), comment="deploy", starts_at=at(9, 30))
    assert tl.kinds(at(10)) == []
    assert tl.kinds(at(11)) == []
    assert states(tl.settings)[("quality_low", "global")] == "firing"
    assert tl.kinds(at(12)) == ["firing"]  # the silence ended at 11:30
    assert tl.kinds(at(13)) == []
    assert tl.kinds(at(14)) == ["resolved"]
    with open_warehouse(tl.settings) as wh:
        held = [n for n in AlertStore(wh).notifications() if n.status == "held"]
    assert [(n.kind, n.last_error) for n in held] == [("firing", "silenced")]


def test_an_acknowledged_incident_repeats_no_more_resolves_and_a_new_one_pages_again(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "0m"}))
    bad_hours(tl.settings, {9: 0.5, 10: 0.5, 11: 0.5, 12: 0.5, 13: 0.5, 14: 0.95, 15: 0.95, 16: 0.4})
    with pytest.raises(NotFiring):  # nothing fires yet
        acknowledge(tl.settings, "quality_low", scope="global", comment="early", by="ann")
    assert tl.kinds(at(10)) == ["firing"]
    ack = acknowledge(tl.settings, "quality_low", scope="global", comment="rolling back", by="ann", at=at(10, 30))
    assert ack.firing_since == at(10)
    told = tl.tick(at(11))  # the acknowledgement goes out from the outbox with the next evaluation
    assert [(n["kind"], n["acknowledged_by"], n["comment"]) for n in told] == [("acknowledged", "ann", "rolling back")]
    assert told[0]["dedup_key"] == "vitals/quality_low/global" and told[0]["summary"].startswith(
        "[Acknowledged by ann]"
    )
    again = acknowledge(tl.settings, "quality_low", scope="global", comment="me too", by="bob")
    assert again.acknowledged_by == "ann"  # the first one stays, and nothing more is sent
    assert tl.kinds(at(13)) == []  # no repeat at 13:05 (3 h after the page)
    assert tl.kinds(at(14)) == []
    assert tl.kinds(at(15)) == ["resolved"]  # a resolve still goes out
    assert tl.kinds(at(17)) == ["firing"]  # a new incident is nobody's yet


def test_silence_of_one_org_leaves_the_others(make_timeline: Any) -> None:
    rule = {
        "name": "org_health",
        "metric": "health_score",
        "scope": "org",
        "condition": {"type": "threshold", "op": "<", "value": 40},
        "window": "1d",
        "routes": ["hook"],
    }
    tl = make_timeline(rule)
    orgs = ["aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-3"]
    for org, score in zip(orgs, (35.0, 30.0, 70.0), strict=True):
        put_daily(tl.settings, "health_score", {DAY: score}, entity=org)
    silence(tl.settings, "org_health", org=orgs[1].upper(), duration=timedelta(days=2), comment="", starts_at=at(0))
    sent = tl.tick(at(6, 0, DAY + timedelta(days=1)))
    assert [(n["org_id"], n["dedup_key"]) for n in sent] == [(orgs[0], f"vitals/org_health/{orgs[0]}")]
    assert states(tl.settings) == {
        ("org_health", orgs[0]): "firing",
        ("org_health", orgs[1]): "firing",
        ("org_health", orgs[2]): "inactive",
    }


def test_low_volume_does_not_fire(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "0m"}))
    for h in (9, 10, 11):
        put_hour(tl.settings, hour(h), jobs=10, passed=3)  # 30% pass, but only 10 jobs
    put_hour(tl.settings, hour(12), jobs=40, passed=12)
    assert [tl.kinds(at(h)) for h in (10, 11, 12)] == [[], [], []]
    with open_warehouse(tl.settings) as wh:
        state = AlertStore(wh).states()[("quality_low", "global")]
    assert state.state == "inactive" and "too little volume" in state.reason
    assert tl.kinds(at(13)) == ["firing"]


def test_missing_data_is_nodata_not_an_alarm_nor_a_resolve(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(**{"for": "0m", "repeat_interval": "6h"}))
    bad_hours(tl.settings, {9: 0.5, 12: 0.5, 13: 0.95})  # nothing in hours 10 and 11
    assert tl.kinds(at(9)) == []
    assert states(tl.settings)[("quality_low", "global")] == "nodata"
    assert tl.kinds(at(10)) == ["firing"]
    assert tl.kinds(at(11)) == []  # gap: not resolved
    assert states(tl.settings)[("quality_low", "global")] == "nodata"
    assert tl.kinds(at(12)) == []
    assert tl.kinds(at(13)) == []  # breaching again: the same incident, not a second page
    assert states(tl.settings)[("quality_low", "global")] == "firing"
    assert tl.kinds(at(14)) == ["resolved"]


def weekly_shape(first: date, last: date) -> dict[date, float]:
    """Weekdays around 100 successful jobs, weekends around 20."""
    values = {}
    day = first
    while day <= last:
        wiggle = (day.toordinal() % 3) - 1
        values[day] = (20.0 if day.weekday() >= 5 else 100.0) + wiggle
        day += timedelta(days=1)
    return values


def test_weekend_dip_does_not_fire_the_seasonal_rule_but_a_weekday_drop_does(make_timeline: Any) -> None:
    seasonal = {
        "name": "jobs_anomaly",
        "metric": "successful_jobs",
        "condition": {"type": "anomaly", "direction": "down", "weeks": 4, "z": 3.5},
        "window": "1d",
        "routes": ["hook"],
    }
    naive = {
        "name": "jobs_drop",
        "metric": "successful_jobs",
        "condition": {"type": "change", "direction": "down", "percent": 20, "baseline": "7d"},
        "window": "1d",
        "routes": ["hook"],
    }
    tl = make_timeline(seasonal, naive, timezone="America/Los_Angeles")
    values = weekly_shape(date(2026, 10, 5), date(2026, 11, 10))
    values[date(2026, 11, 11)] = 40.0  # a Wednesday far below the usual 100
    put_daily(tl.settings, "successful_jobs", values)
    sunday_morning = datetime(2026, 11, 8, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles: judges Saturday
    assert sorted((n["rule"], n["kind"]) for n in tl.tick(sunday_morning)) == [("jobs_drop", "firing")]
    with open_warehouse(tl.settings) as wh:
        anomaly = AlertStore(wh).states()[("jobs_anomaly", "global")]
    assert anomaly.state == "inactive" and "same-weekday" in anomaly.reason
    monday = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # judges Monday, a normal weekday
    assert [(n["rule"], n["kind"]) for n in tl.tick(monday)] == [("jobs_drop", "resolved")]
    thursday = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
    assert sorted((n["rule"], n["kind"]) for n in tl.tick(thursday)) == [
        ("jobs_anomaly", "firing"),
        ("jobs_drop", "firing"),
    ]


def test_seasonal_rule_without_enough_history_is_nodata(make_timeline: Any) -> None:
    rule = {
        "name": "jobs_anomaly",
        "metric": "successful_jobs",
        "condition": {"type": "anomaly", "direction": "down", "weeks": 4},
        "routes": ["hook"],
    }
    tl = make_timeline(rule)
    put_daily(tl.settings, "successful_jobs", weekly_shape(date(2026, 10, 27), date(2026, 11, 10)))
    assert tl.tick(at(6, 0, date(2026, 11, 11))) == []
    assert states(tl.settings)[("jobs_anomaly", "global")] == "nodata"


def test_active_hours_hold_firing_until_they_open(make_timeline: Any) -> None:
    rule = quality_rule(**{"for": "0m", "active_hours": {"days": ["tue"], "start": "11:00", "end": "18:00"}})
    tl = make_timeline(rule)
    bad_hours(tl.settings, {9: 0.5, 10: 0.5, 11: 0.5})
    assert tl.kinds(at(10)) == []
    assert tl.kinds(at(11)) == ["firing"]


def test_skip_days_keep_weekends_out_of_a_change_rule(make_timeline: Any) -> None:
    weekdays_only = {
        "name": "dad_drop",
        "metric": "successful_jobs",
        "condition": {"type": "change", "direction": "down", "percent": 20, "baseline": "7d"},
        "window": "1d",
        "skip_days": ["sat", "sun"],
        "routes": ["hook"],
    }
    tl = make_timeline(weekdays_only, timezone="America/Los_Angeles")
    values = weekly_shape(date(2026, 10, 26), date(2026, 11, 10))
    values[date(2026, 11, 11)] = 40.0
    put_daily(tl.settings, "successful_jobs", values)
    assert tl.tick(datetime(2026, 11, 8, 15, 0, tzinfo=UTC)) == []  # judges Saturday: skipped
    assert states(tl.settings)[("dad_drop", "global")] == "nodata"
    assert tl.tick(datetime(2026, 11, 10, 15, 0, tzinfo=UTC)) == []  # Monday vs the weekdays before: normal
    assert states(tl.settings)[("dad_drop", "global")] == "inactive"
    assert tl.kinds(datetime(2026, 11, 12, 15, 0, tzinfo=UTC)) == ["firing"]


@pytest.mark.postgres
def test_two_evaluations_at_once_page_once(tmp_path: Path, pg_database: str, webhook: Receiver) -> None:
    routes = {"hook": {"type": "webhook", "url": webhook.url, "secret": SECRET}}
    settings = alert_settings("postgres", tmp_path, pg_database, [quality_rule(**{"for": "0m"})], routes)
    create_tables(settings)
    bad_hours(settings, {9: 0.5})
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: evaluate(settings, at(10)), range(4)))
    assert [r.json()["kind"] for r in webhook.requests] == ["firing"]
