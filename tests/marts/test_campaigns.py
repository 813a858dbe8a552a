"""Retention campaigns on the hand-worked set of ``campaigns_dataset`` (answers in its docstring), once per engine:
the campaign mart, the recovery checks with their control group, the rates per kind, and the "source not
connected" case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.marts.campaigns_dataset import AS_OF, C1, C2, CAMPAIGNS, EVENTS, O1, O2, O3, O4, land_campaigns
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings
from vitals.metrics.catalog import default_catalog
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+mart_customer_success_campaign_kinds +source_status +sessions"


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"campaigns-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_campaigns(settings, CAMPAIGNS, EVENTS)
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def campaigns(settings: Settings) -> dict[str, dict[str, Any]]:
    return {r["campaign_id"]: r for r in query(settings, "select * from {core}.mart_customer_success_campaigns")}


def kinds(settings: Settings) -> dict[str, dict[str, Any]]:
    return {r["kind"]: r for r in query(settings, "select * from {core}.mart_customer_success_campaign_kinds")}


def test_each_campaign_with_its_steps_and_its_org_before_and_after(built: Settings) -> None:
    rows = campaigns(built)
    assert set(rows) == {"ca", "cmp-b", "cc", "cd", "ce"}, "ids trimmed and lowercased"
    before_after = {
        cid: (r["health_band_at_start"], r["wap_at_start"], r["health_band_after_30d"], r["wap_after_30d"])
        for cid, r in rows.items()
    }
    assert before_after == {
        "ca": ("At risk", 1, "Healthy", 1),
        "cmp-b": ("At risk", 1, "At risk", 1),
        "cc": ("At risk", 1, "At risk", 2),
        "cd": ("At risk", 1, None, None),
        "ce": (None, None, None, None),
    }
    recovered = {cid: (r["is_pending"], r["is_recovered"]) for cid, r in rows.items()}
    assert recovered == {
        "ca": (False, True),
        "cmp-b": (False, False),
        "cc": (False, True),
        "cd": (True, None),
        "ce": (False, None),
    }
    assert rows["ca"]["outcome"] == "recovered", "the copy ingested later wins"
    assert rows["cd"]["opened_at"] is None, "opened after the as-of time"
    steps = {cid: (r["is_sent"], r["is_opened"], r["is_clicked"], r["is_responded"]) for cid, r in rows.items()}
    assert steps["ca"] == (True, True, True, True)
    assert steps["ce"] == (False, False, False, False)
    assert (rows["ca"]["start_date"], rows["ca"]["recovery_check_date"]) == (date(2026, 5, 10), date(2026, 6, 9))
    assert rows["ca"]["org_id"] == O1 and rows["ce"]["org_id"] is None


def test_recovery_checks_hold_the_campaign_orgs_and_a_control_group(built: Settings) -> None:
    found = query(built, "select * from {core}.mart_customer_success_recovery_checks")
    checks = {(r["org_id"], str(r["check_date"])): (r["is_control"], r["is_recovered"]) for r in found}
    assert checks == {
        (O1, "2026-05-10"): (False, True),
        (O2, "2026-05-10"): (False, False),
        (O3, "2026-05-20"): (False, True),
        (O4, "2026-06-01"): (False, None),
        (C1, "2026-05-10"): (True, True),
        (C2, "2026-05-10"): (True, False),
        (C1, "2026-05-20"): (True, False),
        (C2, "2026-05-20"): (True, False),
        (C1, "2026-06-01"): (True, None),
        (C2, "2026-06-01"): (True, None),
    }, "at-risk orgs with a campaign within 30 days (O1, O2, O3) and healthy ones are no control"
    c1 = next(r for r in found if r["org_id"] == C1 and str(r["check_date"]) == "2026-05-10")
    assert (c1["health_band_at_check"], c1["health_band_after"]) == ("At risk", "Neutral")


def test_rates_and_recovery_against_the_control_per_kind(built: Settings) -> None:
    rows = kinds(built)
    assert set(rows) == {"win_back", "training", "check_in"}
    rates = ("campaign_sent_rate", "campaign_open_rate", "campaign_click_rate", "campaign_response_rate")
    assert [rows["win_back"][r] for r in rates] == [1.0, 0.5, 0.5, 0.5]
    assert [rows["training"][r] for r in rates] == [1.0, 1.0, 0.0, 0.0]
    assert [rows["check_in"][r] for r in rates] == [0.5, 0.0, 0.0, 1.0]
    counts = ("campaigns_started", "campaigns_sent", "campaigns_pending", "campaigns_checked", "campaigns_recovered")
    assert [rows["win_back"][c] for c in counts] == [2, 2, 1, 1, 1]
    assert [rows["check_in"][c] for c in counts] == [2, 1, 0, 1, 1]
    recovery = ("campaign_recovery_rate", "campaign_control_checks", "campaign_control_recovery_rate")
    assert [rows["win_back"][r] for r in recovery] == [1.0, 2, 0.5]
    assert [rows["training"][r] for r in recovery] == [0.0, 2, 0.5]
    assert [rows["check_in"][r] for r in recovery] == [1.0, 2, 0.0]
    lifts = {kind: row["campaign_recovery_lift"] for kind, row in rows.items()}
    assert lifts == {"win_back": pytest.approx(0.5), "training": pytest.approx(-0.5), "check_in": pytest.approx(1.0)}
    reported = {
        kind: (r["campaigns_reported_recovered"], r["campaigns_reported_churned"], r["campaigns_reported_no_response"])
        for kind, r in rows.items()
    }
    assert reported == {"win_back": (1, 0, 0), "training": (0, 0, 1), "check_in": (0, 0, 0)}
    status = {r["source_name"]: r for r in query(built, "select * from {core}.source_status")}
    assert (status["retention_campaigns"]["connected"], status["retention_campaigns"]["rows_kept"]) == (True, 5)


def test_campaign_metrics_need_their_source() -> None:
    catalog = default_catalog()
    for name in ("campaign_recovery_rate", "campaign_response_rate", "campaign_recovery_lift"):
        metric = catalog.metric(name)
        assert (metric.source, metric.domain, metric.model) == (
            "retention_campaigns",
            "customer_success",
            "mart_customer_success_campaign_kinds",
        )


@pytest.fixture(scope="module", params=ENGINES)
def never_loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse with app events but no campaign ever loaded."""
    directory: Path = tmp_path_factory.mktemp(f"no-campaigns-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_campaigns(settings, [], EVENTS)
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def test_not_connected_builds_empty_campaign_marts(never_loaded: Settings) -> None:
    status = {r["source_name"]: r for r in query(never_loaded, "select * from {core}.source_status")}
    assert (status["retention_campaigns"]["connected"], status["retention_campaigns"]["rows_kept"]) == (False, 0)
    for model in (
        "mart_customer_success_campaigns",
        "mart_customer_success_campaign_kinds",
        "mart_customer_success_recovery_checks",
    ):
        assert query(never_loaded, f"select count(*) as n from {{core}}.{model}") == [{"n": 0}]
