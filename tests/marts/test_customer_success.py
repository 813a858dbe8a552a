"""The customer-success marts on a hand-built dataset, once per engine (DuckDB, PostgreSQL).

One build per engine (module-scoped) as of 2026-06-30 20:00 UTC (D = 2026-06-30) over the rows of
``health_dataset.py``. Default weights: engagement 40, quality 25, depth 15, reliability 10, latency 10
points at full marks; a component without data is null and earns 0 points.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.marts.health_dataset import AS_OF, EVENTS, INVOICES, OA, OB, OC, OD, OE, OF, P1, P2, P3, P4, P5, P6
from tests.transform.transform_dataset import engine_warehouse, land, query
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", "postgres"]
SELECT = "+metrics_daily__customer_success +mart_customer_success_churn_risk +sessions"
D = date(2026, 6, 30)
D_7 = date(2026, 6, 23)
D_30 = date(2026, 5, 31)
COMPONENTS = ["engagement", "quality", "depth", "reliability", "latency"]


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"cs-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land(settings, EVENTS, INVOICES, [])
        build(settings, as_of=AS_OF, select=SELECT)
        yield settings


def provider_rows(settings: Settings, day: date) -> dict[str, dict[str, Any]]:
    sql = f"select * from {{core}}.mart_customer_success_provider_health where metric_date = '{day}'"
    return {r["provider_id"]: r for r in query(settings, sql)}


def org_rows(settings: Settings, day: date) -> dict[str, dict[str, Any]]:
    sql = f"select * from {{core}}.mart_customer_success_org_health where metric_date = '{day}'"
    return {r["org_id"]: r for r in query(settings, sql)}


def check(row: dict[str, Any], score: float, band: str, components: list[float | None], points: list[float]) -> None:
    """Score, band, the five components and their points (engagement, quality, depth, reliability, latency)."""
    assert row["health_score"] == pytest.approx(score, abs=1e-6)
    assert row["health_band"] == band
    for name, value, point in zip(COMPONENTS, components, points, strict=True):
        if value is None:
            assert row[f"health_{name}"] is None, name
        else:
            assert row[f"health_{name}"] == pytest.approx(value), name
        assert row[f"health_{name}_points"] == pytest.approx(point), name
    assert sum(row[f"health_{n}_points"] for n in COMPONENTS) == pytest.approx(score, abs=1e-5)
    # components, points and score agree: each component x its full marks is its points (null: 0 points)
    for name, full_marks in zip(COMPONENTS, [40, 25, 15, 10, 10], strict=True):
        component = row[f"health_{name}"]
        assert row[f"health_{name}_points"] == pytest.approx(full_marks * (component or 0.0)), name


# --------------------------------------------------------------------------- providers


def test_provider_components_and_scores_on_the_as_of_day(built: Settings) -> None:
    rows = provider_rows(built, D)
    # window Jun 24-30; P5 (last job Jun 20) is active in the last 30 days, so it is scored
    assert set(rows) == {P1, P2, P3, P4, P5, P6}

    # P1: 5 notes (Jun 26) + 1 failed job (Jun 27). E = 5/10 = 0.5; Q = 1 - 0/5 = 1; D = min(5/3, 1) = 1;
    # error rate 1/6 = 0.167 >= 0.01 -> R = 0; p50 300 s <= 600 and 30 s <= 60 -> L = 1.
    # 40*0.5 + 25 + 15 + 0 + 10 = 70 -> Neutral
    check(rows[P1], 70, "Neutral", [0.5, 1, 1, 0, 1], [20, 25, 15, 0, 10])
    assert (rows[P1]["health_jobs_7d"], rows[P1]["health_notes_7d"]) == (6, 5)
    assert rows[P1]["health_error_rate_7d"] == pytest.approx(1 / 6)
    assert rows[P1]["org_id"] == OA

    # P2: 3 notes (Jun 25), 1 review: E = 0.3; Q = 1 - 1/3 = 2/3; D = 1; R = 1;
    # p50 turnaround of 800/900/1000 = 900 -> 1 - (900-600)/600 = 0.5; p50 summarize of 80/90/100 = 90
    # -> 1 - (90-60)/60 = 0.5; L = 0.5. 12 + 16.667 + 15 + 10 + 5 = 58.667 -> At risk
    check(rows[P2], 58.666667, "At risk", [0.3, 2 / 3, 1, 1, 0.5], [12, 50 / 3, 15, 10, 5])
    assert rows[P2]["health_turnaround_p50_sec"] == pytest.approx(900)
    assert rows[P2]["health_summarize_p50_sec"] == pytest.approx(90)
    assert rows[P2]["health_review_rate_7d"] == pytest.approx(1 / 3)

    # P3: Jun 28, 8 notes (4 reviews) + 2 failed: E = 0.8; Q = 1 - 4/8 = 0.5; D = 1; error rate 2/10 -> R = 0;
    # L = 1. 32 + 12.5 + 15 + 0 + 10 = 69.5 -> Neutral
    check(rows[P3], 69.5, "Neutral", [0.8, 0.5, 1, 0, 1], [32, 12.5, 15, 0, 10])

    # P4: 5 notes on D itself: 20 + 25 + 15 + 10 + 10 = 80 exactly -> Healthy (the band boundary)
    check(rows[P4], 80, "Healthy", [0.5, 1, 1, 1, 1], [20, 25, 15, 10, 10])

    # P5: no job in Jun 24-30: E = D = 0 (no notes), Q, R, L undefined -> 0 points; score 0 -> Critical
    check(rows[P5], 0, "Critical", [0, None, 0, None, None], [0, 0, 0, 0, 0])
    assert rows[P5]["health_jobs_7d"] == 0
    assert rows[P5]["health_turnaround_p50_sec"] is None

    # P6: 2 notes (Jun 29): E = 0.2; Q = 1; D = 2/3; R = 1; L = 1. 8 + 25 + 10 + 10 + 10 = 63 -> Neutral
    check(rows[P6], 63, "Neutral", [0.2, 1, 2 / 3, 1, 1], [8, 25, 10, 10, 10])


def test_provider_scores_a_week_earlier_and_the_interpolated_median(built: Settings) -> None:
    rows = provider_rows(built, D_7)
    # window Jun 17-23; P4 has not started (first job Jun 30): no row
    assert set(rows) == {P1, P2, P3, P5, P6}
    # P1: 10 notes, 5 x 200 s and 5 x 400 s: interpolated p50 = (200 + 400) / 2 = 300 s; summarize (20+40)/2 = 30 s
    check(rows[P1], 100, "Healthy", [1, 1, 1, 1, 1], [40, 25, 15, 10, 10])
    assert rows[P1]["health_turnaround_p50_sec"] == pytest.approx(300)
    assert rows[P1]["health_summarize_p50_sec"] == pytest.approx(30)
    check(rows[P2], 58.666667, "At risk", [0.3, 2 / 3, 1, 1, 0.5], [12, 50 / 3, 15, 10, 5])
    # P3: 3 notes: 12 + 25 + 15 + 10 + 10 = 72
    check(rows[P3], 72, "Neutral", [0.3, 1, 1, 1, 1], [12, 25, 15, 10, 10])
    # P5: 1 note: E = 0.1 -> 4; D = 1/3 -> 5; 4 + 25 + 5 + 10 + 10 = 54 -> At risk
    check(rows[P5], 54, "At risk", [0.1, 1, 1 / 3, 1, 1], [4, 25, 5, 10, 10])
    # P6: no job Jun 17-23 but its May 28/31 jobs are within 30 days (May 25 - Jun 23): scored 0
    check(rows[P6], 0, "Critical", [0, None, 0, None, None], [0, 0, 0, 0, 0])


def test_provider_week_over_week_moves(built: Settings) -> None:
    rows = provider_rows(built, D)
    # P1: 100 -> 70: engagement 40 -> 20 (-20), reliability 10 -> 0 (-10), the rest unchanged
    assert rows[P1]["health_score_change_7d"] == pytest.approx(-30)
    assert rows[P1]["health_engagement_points_change_7d"] == pytest.approx(-20)
    assert rows[P1]["health_reliability_points_change_7d"] == pytest.approx(-10)
    assert rows[P1]["health_quality_points_change_7d"] == pytest.approx(0)
    assert rows[P1]["health_move"] == "down 30: engagement −20, reliability −10"
    # P2: the same week twice
    assert rows[P2]["health_move"] == "unchanged"
    # P3: 72 -> 69.5 = -2.5, shown as 3 (halves away from zero); engagement +20, quality 25 -> 12.5 = -12.5
    # (-13), reliability -10; depth and latency did not move
    assert rows[P3]["health_move"] == "down 3: engagement +20, quality −13, reliability −10"
    # P5: 54 -> 0: quality -25, reliability -10 and latency -10 (tie: reliability first), depth -5, engagement -4:
    # only the 3 largest are named
    assert rows[P5]["health_move"] == "down 54: quality −25, reliability −10, latency −10"
    # P6: 0 -> 63: quality +25, then depth/reliability/latency +10 (ties in component order), engagement +8
    assert rows[P6]["health_move"] == "up 63: quality +25, depth +10, reliability +10"
    # P4: no score a week earlier
    assert rows[P4]["health_score_change_7d"] is None
    assert rows[P4]["health_move"] is None


def test_providers_are_scored_only_while_active_in_the_last_30_days(built: Settings) -> None:
    sql = (
        "select min(metric_date) as first_day, max(metric_date) as last_day, count(*) as days "
        "from {core}.mart_customer_success_provider_health where provider_id = '%s'"
    )
    # P6: first job May 28, scored every day to D (May 31 + 29 days = Jun 29, then the Jun 29 jobs): 34 days
    assert query(built, sql % P6)[0] == {"first_day": date(2026, 5, 28), "last_day": D, "days": 34}
    # P1: first job Jun 18 -> 13 days
    assert query(built, sql % P1)[0] == {"first_day": date(2026, 6, 18), "last_day": D, "days": 13}


# --------------------------------------------------------------------------- orgs


def test_org_scores_are_the_mean_over_active_providers(built: Settings) -> None:
    rows = org_rows(built, D)
    assert set(rows) == {OA, OB, OC, OD}  # OE and OF have no provider
    # OA: mean(P1 70, P2 58.667) = 64.333; components mean(0.5, 0.3) = 0.4, mean(1, 2/3) = 5/6, 1,
    # mean(0, 1) = 0.5, mean(1, 0.5) = 0.75; points mean(20, 12) = 16, mean(25, 16.667) = 20.833, 15,
    # 5, 7.5
    check(rows[OA], 64.333333, "Neutral", [0.4, 5 / 6, 1, 0.5, 0.75], [16, 125 / 6, 15, 5, 7.5])
    assert rows[OA]["org_name"] == "Alpha Clinic"
    assert rows[OA]["health_providers_scored"] == 2
    # OB: mean(P3 69.5, P5 0) = 34.75 -> Critical; P5's undefined components count 0 in the component
    # means as they do in its points, so components and points agree: Q = mean(0.5, 0) = 0.25 (6.25 of 25
    # points), R = mean(0, 0) = 0, L = mean(1, 0) = 0.5 (5 of 10 points); points mean(32, 0) = 16,
    # mean(12.5, 0) = 6.25, mean(15, 0) = 7.5, 0, mean(10, 0) = 5
    check(rows[OB], 34.75, "Critical", [0.4, 0.25, 0.5, 0, 0.5], [16, 6.25, 7.5, 0, 5])
    check(rows[OC], 80, "Healthy", [0.5, 1, 1, 1, 1], [20, 25, 15, 10, 10])
    check(rows[OD], 63, "Neutral", [0.2, 1, 2 / 3, 1, 1], [8, 25, 10, 10, 10])

    earlier = org_rows(built, D_7)
    # OA a week earlier: mean(100, 58.667) = 79.333: just under the Healthy boundary -> Neutral
    check(earlier[OA], 79.333333, "Neutral", [0.65, 5 / 6, 1, 1, 0.75], [26, 125 / 6, 15, 10, 7.5])
    # OB: mean(72, 54) = 63
    check(earlier[OB], 63, "Neutral", [0.2, 1, 2 / 3, 1, 1], [8, 25, 10, 10, 10])
    assert OC not in earlier
    # OD 30 days earlier (May 31): P6's 10 notes of May 28 and 31 -> 100
    assert org_rows(built, D_30)[OD]["health_score"] == pytest.approx(100)


def test_org_week_over_week_sentence(built: Settings) -> None:
    rows = org_rows(built, D)
    # OA: 79.333 -> 64.333 = -15; engagement 26 -> 16 (-10), reliability 10 -> 5 (-5), others 0
    assert rows[OA]["health_score_change_7d"] == pytest.approx(-15, abs=1e-5)
    assert rows[OA]["health_engagement_points_change_7d"] == pytest.approx(-10)
    assert rows[OA]["health_reliability_points_change_7d"] == pytest.approx(-5)
    for name in ("quality", "depth", "latency"):
        assert rows[OA][f"health_{name}_points_change_7d"] == pytest.approx(0)
    assert rows[OA]["health_move"] == "down 15: engagement −10, reliability −5"
    # OB: 63 -> 34.75 = -28.25; engagement 8 -> 16 (+8), quality 25 -> 6.25 (-18.75), depth 10 -> 7.5 (-2.5),
    # reliability 10 -> 0 (-10), latency 10 -> 5 (-5): the three largest, signed whole points
    assert rows[OB]["health_score_change_7d"] == pytest.approx(-28.25)
    changes = [rows[OB][f"health_{n}_points_change_7d"] for n in COMPONENTS]
    assert changes == pytest.approx([8, -18.75, -2.5, -10, -5])
    assert rows[OB]["health_move"] == "down 28: quality −19, reliability −10, engagement +8"
    # OD: 0 -> 63
    assert rows[OD]["health_move"] == "up 63: quality +25, depth +10, reliability +10"
    # OC: no score a week earlier
    assert rows[OC]["health_move"] is None


# --------------------------------------------------------------------------- churn risk


def test_churn_risk_factors_and_ranking(built: Settings) -> None:
    rows = {r["org_id"]: r for r in query(built, "select * from {core}.mart_customer_success_churn_risk")}
    assert set(rows) == {OA, OB, OC, OD, OE, OF}
    assert {r["metric_date"] for r in rows.values()} == {D}
    factors = ["declining_wap", "falling_health", "high_review_share", "error_spike", "seats_unused"]

    # OB: WAP Jun 24-30 = {P3} = 1 vs Jun 17-23 = {P3, P5} = 2 -> -50% <= -20%: declining WAP;
    # 10 jobs, 4 of 8 notes in review = 0.5 >= 0.5: high review share; 2/10 = 0.2 >= 0.05: error spike;
    # 2 active providers in 30 days / 10 seats = 0.2 < 0.5: seats unused; no score on May 31: no trend
    ob = rows[OB]
    assert [ob[f] for f in factors] == [True, False, True, True, True]
    assert ob["risk_factors"] == "declining WAP, high review share, error spike, seats unused"
    assert (ob["risk_factor_count"], ob["is_at_risk"], ob["risk_rank"], ob["mrr_at_risk_cents"]) == (4, True, 1, 80000)
    assert (ob["churn_wap_7d"], ob["churn_wap_prev_7d"], ob["churn_jobs_7d"]) == (1, 2, 10)
    assert ob["churn_wap_change"] == pytest.approx(-0.5)
    assert ob["churn_review_share_7d"] == pytest.approx(0.5)
    assert ob["churn_error_rate_7d"] == pytest.approx(0.2)
    assert ob["churn_seat_utilization"] == pytest.approx(0.2)
    assert ob["health_score"] == pytest.approx(34.75) and ob["health_band"] == "Critical"
    assert ob["health_score_lookback"] is None and ob["health_trend"] is None

    # OD: 100 on May 31 -> 63 on D: -37 <= -10: falling health (WAP: none the week before, not declining)
    od = rows[OD]
    assert [od[f] for f in factors] == [False, True, False, False, False]
    assert od["risk_factors"] == "falling health"
    assert od["health_score_lookback"] == pytest.approx(100)
    assert od["health_trend"] == pytest.approx(-37)
    assert (od["risk_rank"], od["mrr_at_risk_cents"]) == (2, 30000)

    # OE: pays 10000 for 5 seats, nobody used it: seats unused
    oe = rows[OE]
    assert [oe[f] for f in factors] == [False, False, False, False, True]
    assert (oe["risk_rank"], oe["mrr_at_risk_cents"], oe["churn_seat_utilization"]) == (3, 10000, 0)

    # OA: WAP 2 -> 2; 9 jobs (< 10): its 1/9 error rate and 1/8 review share are not judged;
    # 2 active / 4 seats = 0.5, not < 0.5: no factor
    oa = rows[OA]
    assert [oa[f] for f in factors] == [False] * 5
    assert (oa["is_at_risk"], oa["risk_rank"], oa["mrr_at_risk_cents"], oa["risk_factors"]) == (False, None, 0, None)
    assert oa["churn_jobs_7d"] == 9
    assert oa["churn_error_rate_7d"] == pytest.approx(1 / 9)
    assert oa["churn_seat_utilization"] == pytest.approx(0.5)

    # OC: healthy, one seat used
    assert rows[OC]["risk_factor_count"] == 0 and rows[OC]["risk_rank"] is None

    # OF: churned (MRR 0): its unused seats are a factor, but it is not a customer, so not at risk
    of = rows[OF]
    assert (of["is_customer"], of["seats_unused"], of["is_at_risk"], of["risk_rank"]) == (False, True, False, None)
    assert of["mrr_at_risk_cents"] == 0


# --------------------------------------------------------------------------- long form


def test_metrics_daily_long_form(built: Settings) -> None:
    rows = query(built, "select * from {core}.metrics_daily__customer_success")
    keys = [(r["metric_date"], r["metric_name"], r["entity_type"], r["entity_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["value"] is not None for r in rows)
    values = {k: r["value"] for k, r in zip(keys, rows, strict=True)}

    # the org and provider rows repeat the marts
    assert values[(D, "health_score", "org", OB)] == pytest.approx(34.75)
    assert values[(D, "health_quality", "org", OA)] == pytest.approx(5 / 6)
    assert values[(D, "health_score", "provider", P4)] == pytest.approx(80)
    # undefined components are omitted, not null
    assert (D, "health_quality", "provider", P5) not in values
    assert values[(D, "health_engagement", "provider", P5)] == 0

    # global = mean over the 4 orgs scored on D: (64.333333 + 34.75 + 80 + 63) / 4 = 60.520833
    assert values[(D, "health_score", "global", "global")] == pytest.approx(60.520833, abs=1e-5)
    # engagement (0.4 + 0.4 + 0.5 + 0.2) / 4 = 0.375; quality (5/6 + 0.25 + 1 + 1) / 4 = 37/48
    assert values[(D, "health_engagement", "global", "global")] == pytest.approx(0.375)
    assert values[(D, "health_quality", "global", "global")] == pytest.approx(37 / 48)
    # the global components recompute the global score: 40 x 0.375 + 25 x 37/48 + 15 x 0.7917 + 10 x 0.625
    # + 10 x 0.8125 = 60.520833 (depth (1 + 0.5 + 1 + 2/3) / 4, reliability (0.5 + 0 + 1 + 1) / 4,
    # latency (0.75 + 0.5 + 1 + 1) / 4)
    weights = dict(zip(COMPONENTS, [40, 25, 15, 10, 10], strict=True))
    recomputed = sum(weights[c] * values[(D, f"health_{c}", "global", "global")] for c in COMPONENTS)
    assert recomputed == pytest.approx(60.520833, abs=1e-5)
    # bands on D: OC Healthy; OA, OD Neutral; OB Critical
    bands = {
        n: values[(D, f"health_orgs_{n}", "global", "global")] for n in ("healthy", "neutral", "at_risk", "critical")
    }
    assert bands == {"healthy": 1, "neutral": 2, "at_risk": 0, "critical": 1}

    # every day from the first scored day (May 28) to D: 4 days of May + 30 of June = 34 global rows
    global_days = sorted(k[0] for k in keys if k[1] == "health_orgs_at_risk")
    assert global_days[0] == date(2026, 5, 28) and global_days[-1] == D and len(global_days) == 34
    assert len([k for k in keys if k[1] == "health_score" and k[2] == "global"]) == 34
    names = {k[1] for k in keys}
    assert names == {
        "health_score",
        *(f"health_{c}" for c in COMPONENTS),
        "health_orgs_healthy",
        "health_orgs_neutral",
        "health_orgs_at_risk",
        "health_orgs_critical",
    }


# --------------------------------------------------------------------------- configuration


def test_weights_and_normalizers_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Engagement only, 5 notes for full marks, Healthy from 90 (DuckDB; the SQL is the same per engine)."""
    overrides = {
        "health_weights": {"engagement": 2, "quality": 0, "depth": 0, "reliability": 0, "latency": 0},
        "health_normalizers": {"notes_7d": 5},
        "health_bands": {"healthy": 90},
    }
    original = Settings.dbt_vars
    monkeypatch.setattr(Settings, "dbt_vars", lambda self: {**original(self), **overrides})
    with engine_warehouse("duckdb", tmp_path) as settings:
        land(settings, EVENTS, INVOICES, [])
        build(settings, as_of=AS_OF, select="+mart_customer_success_provider_health +sessions +organizations")
        rows = provider_rows(settings, D)
    # weights are relative (2 / 2 = all 100 points on engagement); E = min(notes / 5, 1)
    # P1 5 notes -> 100; P2 3 -> 60 (Neutral: 60 <= score < 90); P3 8 -> 100; P5 0 -> 0
    assert rows[P1]["health_score"] == pytest.approx(100) and rows[P1]["health_band"] == "Healthy"
    assert rows[P2]["health_score"] == pytest.approx(60) and rows[P2]["health_band"] == "Neutral"
    assert rows[P3]["health_score"] == pytest.approx(100)
    assert rows[P5]["health_score"] == 0
    # the other normalizers keep their defaults: P2's latency is still 0.5 (p50 900 s, 90 s)
    assert rows[P2]["health_latency"] == pytest.approx(0.5)
    assert rows[P2]["health_latency_points"] == 0
