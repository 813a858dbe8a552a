"""Real-time rules end to end: rows landed in the raw tables, evaluated at ticks, notifications delivered to a
webhook receiver. Low volume gives no verdict, a value hovering at the threshold pages once (hysteresis), the
window's recovery resolves, and an error-rate spike is judged against the same hour last week (DuckDB and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.realtime.rows import at, error, event, land, quick_job
from vitals.warehouse import open_warehouse


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def quality_rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": "quality_low",
        "metric": "quality_pass_rate_hourly",
        "source": "realtime",
        "condition": {"type": "threshold", "op": "<", "value": 0.8},
        "clear": 0.9,
        "window": "15m",
        "min_volume": {"metric": "successful_jobs", "at_least": 2},
        "severity": "critical",
        "routes": ["hook"],
        "repeat_interval": "1h",
    }
    rule.update(changes)
    return rule


def jobs(*completions: tuple[int, int, bool]) -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for hour, minute, passed in completions:
        rows += quick_job(f"j{hour:02d}{minute:02d}", at(hour, minute), passed=passed)
    return rows


def test_hovering_at_the_threshold_pages_once_and_recovery_resolves(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule())
    land(
        tl.settings,
        jobs(
            (11, 50, False),
            (11, 55, False),
            (12, 2, True),
            (12, 4, True),
            (12, 5, True),
            (12, 7, True),
            (12, 8, False),
            (12, 12, True),
            (12, 14, True),
            (12, 16, True),
            (12, 18, True),
            (12, 19, True),
            (12, 20, True),
            (12, 26, False),
        ),
    )
    # (11:45, 12:00]: 0 of 2 pass -> fires
    assert tl.kinds(utc(at(12))) == ["firing"]
    # (11:50, 12:05]: 3 of 4 = 0.75, still below 0.8
    assert tl.kinds(utc(at(12, 5))) == []
    # (11:55, 12:10]: 4 of 5 = 0.8: no longer below 0.8 but below the clear bound 0.9: still firing, silent
    assert tl.kinds(utc(at(12, 10))) == []
    # (12:05, 12:20]: 7 of 8 = 0.875: still firing
    assert tl.kinds(utc(at(12, 20))) == []
    # (12:10, 12:25]: 6 of 6 pass: resolved
    assert tl.kinds(utc(at(12, 25))) == ["resolved"]
    # (12:15, 12:30]: 4 of 5 = 0.8 dips back to the threshold, not below it: nothing
    assert tl.kinds(utc(at(12, 30))) == []
    with open_warehouse(tl.settings) as wh:
        states = wh.query("select state from alerts.alert_state where rule_name = 'quality_low'")
    assert states == [("resolved",)]


def test_low_volume_neither_opens_nor_closes_an_incident(make_timeline: Any) -> None:
    tl = make_timeline(quality_rule(min_volume={"metric": "successful_jobs", "at_least": 3}))
    land(tl.settings, jobs((11, 51, False), (11, 55, False), (12, 3, False), (12, 14, True), (12, 16, True)))
    # (11:45, 12:00]: 2 failing jobs, fewer than 3: no verdict, no page
    assert tl.kinds(utc(at(12))) == []
    # (11:50, 12:05]: 3 failing jobs (11:51, 11:55, 12:03): fires
    assert tl.kinds(utc(at(12, 5))) == ["firing"]
    # (12:05, 12:20]: 2 passing jobs, too few to judge: the incident stays open and nobody is told
    assert tl.kinds(utc(at(12, 20))) == []
    with open_warehouse(tl.settings) as wh:
        state = wh.query("select state, firing_since from alerts.alert_state")[0]
    assert state[0] == "nodata" and state[1] is not None
    # a third passing job lands late (it completed at 12:18): now 3 of 3 pass -> resolved
    land(tl.settings, quick_job("late", at(12, 18)))
    assert tl.kinds(utc(at(12, 21))) == ["resolved"]


def spike_rule() -> dict[str, Any]:
    return {
        "name": "errors_spike",
        "metric": "error_rate_per_100_attempts_hourly",
        "source": "realtime",
        "condition": {"type": "spike", "factor": 3, "min_increase": 5, "min_baseline_attempts": 10},
        "clear": 2,
        "window": "1h",
        "min_volume": {"metric": "attempt_events", "at_least": 10},
        "routes": ["hook"],
    }


def last_week(settings: Any, hour: datetime, attempts: int, errors: int) -> None:
    """The hourly mart's global row of ``hour`` (UTC = business time in these tests) a week earlier."""
    start = hour - timedelta(days=7)
    with open_warehouse(settings) as wh:
        wh.execute(
            f"insert into {wh.core_schema}.mart_reliability_hourly (hour_start, metric_date, business_hour, "
            "entity_type, entity_id, attempt_events, error_events) values (?, ?, ?, 'global', 'global', ?, ?)",
            [start, start.date(), start.hour, attempts, errors],
        )


def test_error_rate_spike_against_the_same_hour_last_week(make_timeline: Any) -> None:
    tl = make_timeline(spike_rule())
    # last week 10:00-12:00: 5 errors in 200 attempts = 2.5 per 100
    last_week(tl.settings, at(10), 100, 2)
    last_week(tl.settings, at(11), 100, 3)
    attempts = [event(f"a{i}", "note_save", at(11, 1) + timedelta(minutes=3 * i)) for i in range(20)]  # 11:01..11:58
    land(tl.settings, attempts, [error(f"e{i}", at(11, 30) + timedelta(minutes=i)) for i in range(2)])
    # (11:00, 12:00]: 2 errors / 20 attempts = 10 per 100: 4x last week's 2.5 and 7.5 above: fires
    assert tl.kinds(utc(at(12))) == ["firing"]
    # (11:10, 12:10]: 17 attempts, 2 errors = 11.8 per 100: still firing, silent
    assert tl.kinds(utc(at(12, 10))) == []
    # (11:35, 12:35]: 8 attempts: too few to judge; more attempts land without errors
    more = [event(f"b{i}", "note_save", at(12, 1) + timedelta(minutes=2 * i)) for i in range(30)]  # 12:01..12:59
    land(tl.settings, more)
    # (11:40, 12:40]: 6 + 20 = 26 attempts and no error inside: 0 per 100 < 2 x 2.5: resolved
    assert tl.kinds(utc(at(12, 40))) == ["resolved"]
