"""The churn-risk score (seed 002) on a hand-built dataset (``churn_risk_dataset.py``), once per engine.

As of 2026-06-30 20:00 UTC: D = 2026-06-30, the last 30 days Jun 1 .. Jun 30. Default weights: declining health
25, high support volume 15, low engagement 20, low feature adoption 10, low activation 10, payment trouble 20
(sum 100, so a factor's points are its weight); High >= 70, Medium >= 40.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.marts.churn_risk_dataset import OH, OI, OJ, OK, OL, OM, land_churn_risk
from tests.marts.health_dataset import AS_OF, OA, OB, OC, OD, OE, OF
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", "postgres"]
SELECT = "+mart_customer_success_churn_risk +sessions"
SCORE_FACTORS = [
    "declining_health",
    "high_support_volume",
    "low_engagement",
    "low_feature_adoption",
    "low_activation",
    "payment_trouble",
]


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"churn-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_churn_risk(settings)
        build(settings, as_of=AS_OF, select=SELECT)
        yield settings


def risk_rows(settings: Settings) -> dict[str, dict[str, Any]]:
    return {r["org_id"]: r for r in query(settings, "select * from {core}.mart_customer_success_churn_risk")}


def fired(row: dict[str, Any]) -> list[str]:
    return [f for f in SCORE_FACTORS if row[f]]


def test_each_factor_and_its_measure(built: Settings) -> None:
    rows = risk_rows(built)
    # OD: health 100 on May 31 -> 63 on D (-37 < -10); 6 tickets from Jun 10 (the one of May 31 is outside) > 5
    od = rows[OD]
    assert fired(od) == ["declining_health", "high_support_volume"]
    assert od["health_trend"] == pytest.approx(-37) and od["churn_support_tickets_30d"] == 6
    # OB: exactly 5 tickets is not more than 5
    assert rows[OB]["churn_support_tickets_30d"] == 5 and not rows[OB]["high_support_volume"]
    # OJ: last event Jun 10 -> 20 days > 14; OK: Jun 16 -> exactly 14, not more
    assert fired(rows[OJ]) == ["low_engagement"] and rows[OJ]["churn_days_since_last_activity"] == 20
    assert fired(rows[OK]) == [] and rows[OK]["churn_days_since_last_activity"] == 14
    # OL: logged in Jun 25 (5 days) but no job in the 30 days: 0 of 2 features
    ol = rows[OL]
    assert fired(ol) == ["low_feature_adoption"]
    assert (ol["churn_days_since_last_activity"], ol["churn_feature_adoption_30d"]) == (5, 0)
    # OM: 1 of its 3 providers had a successful job: 1/3 < 0.5; every other active org uses 1 of 2 features
    assert fired(rows[OM]) == ["low_activation"]
    assert rows[OM]["churn_activation_rate"] == pytest.approx(1 / 3)
    assert rows[OA]["churn_feature_adoption_30d"] == pytest.approx(0.5) and rows[OA]["churn_activation_rate"] == 1
    # OI: an uncollectible invoice whose period (May 15 .. Jun 15) reaches into the 30 days
    oi = rows[OI]
    assert fired(oi) == ["payment_trouble"]
    assert (oi["churn_failed_invoices_30d"], oi["has_past_due_subscription"]) == (1, False)
    # OH: OD's jobs, 7 tickets, 1 of 3 providers activated, its subscription past_due since Jun 20
    oh = rows[OH]
    assert fired(oh) == ["declining_health", "high_support_volume", "low_activation", "payment_trouble"]
    assert (oh["has_past_due_subscription"], oh["churn_failed_invoices_30d"]) == (True, 0)
    # OE, OF: never seen in the app's events: inactive (no last activity) and no feature used; no provider,
    # so no activation rate (not a factor)
    for org in (OE, OF):
        assert fired(rows[org]) == ["low_engagement", "low_feature_adoption"]
        assert rows[org]["churn_days_since_last_activity"] is None and rows[org]["churn_activation_rate"] is None


def test_scores_bands_and_factor_lists(built: Settings) -> None:
    rows = risk_rows(built)
    expected = {
        # 25 + 15 + 10 + 20 = 70: exactly the High cut-off
        OH: (70, "High", "declining health, high support volume, low activation, payment trouble"),
        # 25 + 15 = 40: exactly the Medium cut-off
        OD: (40, "Medium", "declining health, high support volume"),
        OE: (30, "Low", "low engagement, low feature adoption"),
        OJ: (20, "Low", "low engagement"),
        OI: (20, "Low", "payment trouble"),
        OL: (10, "Low", "low feature adoption"),
        OM: (10, "Low", "low activation"),
        OA: (0, "Low", None),
        OB: (0, "Low", None),
        OK: (0, "Low", None),
    }
    for org, (score, band, factors) in expected.items():
        row = rows[org]
        assert (row["churn_risk_score"], row["churn_risk_band"], row["churn_risk_factors"]) == (score, band, factors)
        assert row["churn_risk_factor_count"] == len(fired(row))
    # the named factors keep their own list
    assert rows[OD]["risk_factors"] == "falling health"
    assert rows[OB]["risk_factors"] == "declining WAP, high review share, error spike, seats unused"


def test_at_risk_list_sorts_by_score_times_mrr(built: Settings) -> None:
    rows = risk_rows(built)
    # weighted MRR at risk = score / 100 x MRR: OH 0.7 x 40000 = 28000; OJ 0.2 x 60000 = 12000 and OD 0.4 x 30000
    # = 12000 (tie: more MRR first); OI 5000; OE 3000; OL 2000; OM 1500; OB 0 (named factors only)
    order = [OH, OJ, OD, OI, OE, OL, OM, OB]
    weighted = [28000, 12000, 12000, 5000, 3000, 2000, 1500, 0]
    assert [rows[o]["churn_risk_rank"] for o in order] == list(range(1, 9))
    assert [rows[o]["weighted_mrr_at_risk_cents"] for o in order] == weighted
    # at risk: paying with a factor of either list (OJ, OI, OM have score factors only)
    assert all(rows[o]["is_at_risk"] for o in order)
    assert rows[OJ]["risk_factors"] is None and rows[OJ]["mrr_at_risk_cents"] == 60000
    # not at risk: no factor (OA, OC, OK), or not paying (OF, score 30 but MRR 0)
    for org in (OA, OC, OK, OF):
        assert (rows[org]["is_at_risk"], rows[org]["churn_risk_rank"], rows[org]["weighted_mrr_at_risk_cents"]) == (
            False,
            None,
            0,
        )
    # the MRR ranking is unchanged: by MRR at risk
    assert [o for o, _ in sorted(((o, rows[o]["risk_rank"]) for o in order), key=lambda p: p[1])] == [
        OB,
        OJ,
        OH,
        OD,
        OI,
        OL,
        OM,
        OE,
    ]


def test_no_support_source_means_no_tickets(tmp_path: Path) -> None:
    """Without a help desk connected every org has 0 tickets and never the support factor (DuckDB)."""
    with engine_warehouse("duckdb", tmp_path) as settings:
        land_churn_risk(settings, tickets=False)
        build(settings, as_of=AS_OF, select=SELECT)
        rows = risk_rows(settings)
    assert {r["churn_support_tickets_30d"] for r in rows.values()} == {0}
    assert not any(r["high_support_volume"] for r in rows.values())
    # OD loses its 15 points: 25 (declining health), Low; OH 55, Medium
    assert (rows[OD]["churn_risk_score"], rows[OD]["churn_risk_band"]) == (25, "Low")
    assert (rows[OH]["churn_risk_score"], rows[OH]["churn_risk_band"]) == (55, "Medium")


def test_weights_and_bands_are_settings(tmp_path: Path) -> None:
    """Weights 1 (declining health), 2 (support volume), 1 (low engagement), the others 0: points 25, 50, 25;
    High from 75, Medium from 50 (DuckDB; the SQL is the same per engine)."""
    churn_risk = {
        "weights": {
            "declining_health": 1,
            "high_support_volume": 2,
            "low_engagement": 1,
            "low_feature_adoption": 0,
            "low_activation": 0,
            "payment_trouble": 0,
        },
        "band_high": 75,
        "band_medium": 50,
    }
    with engine_warehouse("duckdb", tmp_path, churn_risk=churn_risk) as settings:
        land_churn_risk(settings)
        build(settings, as_of=AS_OF, select=SELECT)
        rows = risk_rows(settings)
    # OH, OD: 25 + 50 = 75 (High); OJ, OE: 25 (Low); OI: payment trouble weighs 0 now, yet it still fires
    assert (rows[OH]["churn_risk_score"], rows[OH]["churn_risk_band"]) == (75, "High")
    assert (rows[OD]["churn_risk_score"], rows[OD]["churn_risk_band"]) == (75, "High")
    assert (rows[OJ]["churn_risk_score"], rows[OE]["churn_risk_score"]) == (25, 25)
    assert (rows[OI]["churn_risk_score"], rows[OI]["churn_risk_factors"]) == (0, "payment trouble")
    # the sort follows: OH (0.75 x 40000 = 30000), OD (22500), OJ (0.25 x 60000 = 15000), OE (2500)
    ranked = sorted((r for r in rows.values() if r["churn_risk_rank"]), key=lambda r: r["churn_risk_rank"])
    assert [r["org_id"] for r in ranked[:4]] == [OH, OD, OJ, OE]


def test_thresholds_are_settings(tmp_path: Path) -> None:
    """More than 6 tickets, more than 20 days quiet (DuckDB)."""
    with engine_warehouse("duckdb", tmp_path, churn_risk={"support_tickets_30d": 6, "inactive_days": 19}) as settings:
        land_churn_risk(settings)
        build(settings, as_of=AS_OF, select=SELECT)
        rows = risk_rows(settings)
    assert (rows[OD]["high_support_volume"], rows[OH]["high_support_volume"]) == (False, True)
    assert rows[OJ]["low_engagement"]  # 20 > 19
    assert rows[OD]["churn_risk_score"] == 25


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown churn-risk factor"):
        Settings(churn_risk={"weights": {"tickets": 1}})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive sum"):
        Settings(churn_risk={"weights": dict.fromkeys(SCORE_FACTORS, 0)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="band_medium"):
        Settings(churn_risk={"band_high": 30, "band_medium": 40})  # type: ignore[arg-type]
