"""The reliability and data-health marts (SPEC §6.6) on the dataset of ``metrics_dataset``, per engine.

Attempts = note_submit, summarize_start and note_save events; errors = Sentry errors of level error
or fatal; global rows count rows of no known org too. Latency, SLO and quality use successful jobs
by completion time. Hours are business-time-zone hours (PST: UTC 18:00 = 10:00).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from tests.marts.metrics_dataset import OA, OB, built_marts, metric_values, rows
from vitals.config import Settings

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
MODELS = [
    "metrics_daily__reliability",
    "mart_reliability_daily",
    "mart_reliability_hourly",
    "metrics_daily__data_health",
    "mart_data_health",
]


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with built_marts(request.param, tmp_path_factory.mktemp(f"reliability-{request.param}"), MODELS) as built:
        yield built


def reliability(settings: Settings, day: str) -> dict[tuple[str, str], float]:
    return metric_values(settings, "metrics_daily__reliability", day)


def test_error_rate_per_100_attempts(settings: Settings) -> None:
    day18 = reliability(settings, "2026-02-18")
    # 02-18: attempts J6 submit+start, J7 submit+start = 4; errors E1 (A) and E3 (fatal, no org);
    # E2 is a warning -> global 2 / 4 * 100 = 50; A 1 / 4 * 100 = 25
    assert (day18[("attempt_events", "global")], day18[("error_events", "global")]) == (4, 2)
    assert day18[("error_rate_per_100_attempts", "global")] == pytest.approx(50.0)
    assert day18[("error_rate_per_100_attempts", OA)] == pytest.approx(25.0)
    day19 = reliability(settings, "2026-02-19")
    # 02-19: J8 submit (no start) in A, J9 submit+start in B; E4 in B -> 1 / 3; A 0 / 1; B 1 / 2
    assert day19[("error_rate_per_100_attempts", "global")] == pytest.approx(100 / 3)
    assert day19[("error_rate_per_100_attempts", OA)] == pytest.approx(0.0)
    assert day19[("error_rate_per_100_attempts", OB)] == pytest.approx(50.0)
    # 02-17: J4 2 + J5 2 + JX 1 (no org: global only) = 5; A 4
    day17 = reliability(settings, "2026-02-17")
    assert (day17[("attempt_events", "global")], day17[("attempt_events", OA)]) == (5, 4)
    # 02-16: J3 submit + start + note_save (its dropped copy is not counted) = 3
    assert reliability(settings, "2026-02-16")[("attempt_events", "global")] == 3
    # a day without attempts: counts 0, rate undefined -> no row
    day14 = reliability(settings, "2026-02-14")
    assert day14[("attempt_events", "global")] == 0
    assert ("error_rate_per_100_attempts", "global") not in day14


def test_latency_percentiles(settings: Settings) -> None:
    day17 = reliability(settings, "2026-02-17")
    # 02-17: J4 (300000; 280000), J5 (600000; 500000); interpolated percentiles of two values:
    # p50 = midpoint, p95 = low + 0.95 * (high - low)
    assert day17[("duration_ms_p50", "global")] == pytest.approx(450000)
    assert day17[("duration_ms_p95", "global")] == pytest.approx(300000 + 0.95 * 300000)  # 585000
    assert day17[("summarize_ms_p50", "global")] == pytest.approx(390000)
    assert day17[("summarize_ms_p95", "global")] == pytest.approx(280000 + 0.95 * 220000)  # 489000
    day19 = reliability(settings, "2026-02-19")
    # 02-19: J8 (50000; no summarize_start), J9 (1300000; 1290000)
    assert day19[("duration_ms_p50", "global")] == pytest.approx(675000)
    assert day19[("duration_ms_p95", "global")] == pytest.approx(50000 + 0.95 * 1250000)  # 1237500
    assert day19[("summarize_ms_p50", "global")] == pytest.approx(1290000)  # J9 only
    assert day19[("summarize_ms_p95", "global")] == pytest.approx(1290000)
    # A on 02-19: J8 only; it has no summarize time -> no summarize rows
    assert day19[("duration_ms_p95", OA)] == pytest.approx(50000)
    assert ("summarize_ms_p50", OA) not in day19


def test_slo_hit_rates_and_quality(settings: Settings) -> None:
    day17 = reliability(settings, "2026-02-17")
    # turnaround <= 600 s: J4 300 s, J5 600 s (boundary included) -> 1.0; summarize <= 60 s: 280 s,
    # 500 s -> 0.0; quality: J4 0.5 fails, J5 0.7 passes -> 0.5
    assert day17[("turnaround_slo_hit_rate", "global")] == pytest.approx(1.0)
    assert day17[("summarize_slo_hit_rate", "global")] == pytest.approx(0.0)
    assert day17[("quality_pass_rate_1d", "global")] == pytest.approx(0.5)
    assert day17[("quality_passed_jobs", "global")] == 1
    # 02-18: J6 65 s turnaround, 60 s summarize (boundary) -> 1.0 and 1.0
    day18 = reliability(settings, "2026-02-18")
    assert day18[("turnaround_slo_hit_rate", "global")] == pytest.approx(1.0)
    assert day18[("summarize_slo_hit_rate", "global")] == pytest.approx(1.0)
    day19 = reliability(settings, "2026-02-19")
    # J8 50 s hit, J9 1300 s miss -> 0.5; summarize: only J9 is timed (miss) -> 0.0
    assert day19[("turnaround_slo_hit_rate", "global")] == pytest.approx(0.5)
    assert day19[("summarize_slo_hit_rate", "global")] == pytest.approx(0.0)
    assert ("summarize_slo_hit_rate", OA) not in day19  # J8 has no summarize time
    # quality 02-19: J8 (no score) fails, J9 passes; A 0 / 1, B 1 / 1
    assert day19[("quality_pass_rate_1d", "global")] == pytest.approx(0.5)
    assert day19[("quality_pass_rate_1d", OA)] == pytest.approx(0.0)
    assert day19[("quality_pass_rate_1d", OB)] == pytest.approx(1.0)


def test_mart_reliability_daily(settings: Settings) -> None:
    mart = rows(settings, "select * from {core}.mart_reliability_daily")
    assert len(mart) == 89 + 19  # A 11-24..02-20, B 02-02..02-20
    b19 = next(r for r in mart if r["org_id"] == OB and r["metric_date"] == date(2026, 2, 19))
    assert b19 == {
        "metric_date": date(2026, 2, 19),
        "org_id": OB,
        "attempt_events": 2,
        "error_events": 1,
        "error_rate_per_100_attempts": pytest.approx(50.0),
        "successful_jobs": 1,
        "duration_ms_p50": pytest.approx(1300000),
        "duration_ms_p95": pytest.approx(1300000),
        "summarize_ms_p50": pytest.approx(1290000),
        "summarize_ms_p95": pytest.approx(1290000),
        "turnaround_slo_hit_rate": pytest.approx(0.0),
        "summarize_slo_hit_rate": pytest.approx(0.0),
        "quality_passed_jobs": 1,
        "quality_pass_rate_1d": pytest.approx(1.0),
        "jobs_attempted": 1,  # J9, settled (success) and created that day
        "jobs_failed": 0,
        "job_failure_rate": pytest.approx(0.0),
    }


def test_mart_reliability_hourly(settings: Settings) -> None:
    found = rows(settings, "select * from {core}.mart_reliability_hourly")
    # hours with an attempt, error or success: global 02-10 h10, 02-12 h10, 02-16 h10,
    # 02-17 h9 (JX) h10 h11, 02-18 h10 h12 h13 (E3), 02-19 h10 h13, 02-20 h10 = 12;
    # A: 02-10, 02-16, 02-17 h10 h11, 02-18 h10 h12, 02-19 h10, 02-20 = 8; B: 02-12 h10, 02-19 h13 = 2
    assert len(found) == 12 + 8 + 2
    hours = {(r["entity_id"], r["metric_date"], r["business_hour"]): r for r in found}
    h10 = hours[("global", date(2026, 2, 17), 10)]
    # J4: submit + start, success with quality 0.5 -> 0 of 1 passes
    assert h10["hour_start"] == datetime(2026, 2, 17, 10, 0, 0)
    assert (h10["attempt_events"], h10["successful_jobs"], h10["quality_passed_jobs"]) == (2, 1, 0)
    assert h10["quality_pass_rate_hourly"] == pytest.approx(0.0)
    assert h10["error_rate_per_100_attempts_hourly"] == pytest.approx(0.0)
    assert hours[("global", date(2026, 2, 17), 11)]["quality_pass_rate_hourly"] == pytest.approx(1.0)  # J5
    # 02-18 12:00 PST: J7 submit + start, E1 -> 50 per 100; 13:00: E3 alone -> rate undefined
    assert hours[("global", date(2026, 2, 18), 12)]["error_rate_per_100_attempts_hourly"] == pytest.approx(50.0)
    assert hours[(OA, date(2026, 2, 18), 12)]["error_rate_per_100_attempts_hourly"] == pytest.approx(50.0)
    h13 = hours[("global", date(2026, 2, 18), 13)]
    assert (h13["attempt_events"], h13["error_events"], h13["error_rate_per_100_attempts_hourly"]) == (0, 1, None)
    assert h13["quality_pass_rate_hourly"] is None
    assert (OA, date(2026, 2, 18), 13) not in hours


def test_data_health_daily(settings: Settings) -> None:
    shape = rows(
        settings,
        "select min(metric_date) as first_day, count(*) as n from {core}.metrics_daily__data_health",
    )
    # 15 metrics x 89 days (2025-11-24 .. 2026-02-20), global only
    assert shape == [{"first_day": date(2025, 11, 24), "n": 15 * 89}]

    def health(day: str) -> dict[str, float]:
        return {name: value for (name, _), value in metric_values(settings, "metrics_daily__data_health", day).items()}

    day16 = health("2026-02-16")
    # J3 submit, start, success, a13, a09 = 5 kept; the late copy of J3's submit dropped; a09 invalid JSON
    assert (day16["events_rows"], day16["events_duplicates_dropped"], day16["events_invalid_json_rows"]) == (5, 1, 1)
    day17 = health("2026-02-17")
    # J4 3 + J5 3 + JX 1 + a10 + a11 = 9; no org: JX, a10; invalid provider id: a11; JX left out
    assert (day17["events_rows"], day17["events_unknown_org_rows"], day17["events_invalid_id_rows"]) == (9, 2, 1)
    assert day17["unknown_org_jobs"] == 1
    # 02-10 06:30 UTC (a07) is 02-09 in Los Angeles: 02-09 = a07 + a08, 02-10 = J1's 3 events
    assert (health("2026-02-09")["events_rows"], health("2026-02-10")["events_rows"]) == (2, 3)
    # the invoice period starts 2026-02-01 00:00 UTC = 01-31 16:00 PST; its older state is dropped
    jan31 = health("2026-01-31")
    assert (jan31["invoices_rows"], jan31["invoices_duplicates_dropped"]) == (1, 1)
    day18 = health("2026-02-18")
    # E1, E2 (invalid tags JSON), E3 (no org)
    assert (
        day18["sentry_errors_rows"],
        day18["sentry_errors_invalid_json_rows"],
        day18["sentry_errors_unknown_org_rows"],
    ) == (3, 1, 1)
    assert health("2026-02-14")["events_rows"] == 0


def test_mart_data_health(settings: Settings) -> None:
    mart = {r["source_table"]: r for r in rows(settings, "select * from {core}.mart_data_health")}
    events = mart["events_big"]
    # 45 raw rows: 10 org/provider events, 30 job events (J8 has 2, JX 1, the rest 3), the copy of
    # J3's submit, a13, a09, a10, a11; 44 kept
    assert (events["rows_raw"], events["rows_kept"], events["duplicates_dropped"], events["rows_rejected"]) == (
        45,
        44,
        1,
        0,
    )
    assert (
        events["invalid_id_rows"],
        events["invalid_json_rows"],
        events["unknown_org_rows"],
        events["jobs_unknown_org"],
    ) == (1, 1, 2, 1)
    # newest: J10's success 02-20 18:00:20; as-of 20:00:00 -> 7180 s
    assert events["newest_at"] == datetime(2026, 2, 20, 18, 0, 20)
    assert events["freshness_lag_sec"] == 7180
    assert events["duplicate_share"] == pytest.approx(1 / 45)
    assert events["dropped_share"] == pytest.approx(1 / 45)
    assert events["as_of"] == datetime(2026, 2, 20, 20, 0, 0)
    invoices = mart["stripe_billing_big"]
    # 2 raw rows, 1 kept; newest period start 02-01 00:00 -> 19 days 20 h = 1713600 s
    assert (invoices["rows_raw"], invoices["rows_kept"], invoices["freshness_lag_sec"]) == (2, 1, 1713600)
    assert invoices["duplicate_share"] == pytest.approx(0.5)
    errors = mart["sentry_errors_big"]
    # E4 02-19 21:30 -> 22.5 h = 81000 s
    assert (
        errors["rows_kept"],
        errors["invalid_json_rows"],
        errors["unknown_org_rows"],
        errors["freshness_lag_sec"],
    ) == (4, 1, 1, 81000)
