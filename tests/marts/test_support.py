"""Support tickets on the hand-worked help desk of ``support_dataset`` (answers in its docstring), once per engine,
and the "source not connected" case: a warehouse where no ticket was ever loaded builds, has no support rows (no
zeros), and says so in the metric series."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.marts.support_dataset import AS_OF, EVENTS, OA, OB, TICKETS, D, land_support
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings
from vitals.metrics.series import metric_series
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+metrics_daily +mart_support_daily +mart_support_tickets +source_status +sessions"


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"support-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_support(settings, TICKETS, EVENTS)
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def long_values(settings: Settings, day: date) -> dict[tuple[str, str], float]:
    found = query(settings, f"select * from {{core}}.metrics_daily__support where metric_date = '{day}'")
    return {(r["metric_name"], r["entity_id"]): r["value"] for r in found}


def of(values: dict[tuple[str, str], float], entity: str) -> dict[str, float]:
    return {name: value for (name, who), value in values.items() if who == entity}


def test_first_response_and_resolution_percentiles(built: Settings) -> None:
    a, b, world = (of(long_values(built, D), e) for e in (OA, OB, "global"))
    assert (a["support_first_response_seconds_p50"], a["support_first_response_seconds_p90"]) == (
        pytest.approx(7200),
        pytest.approx(25920),
    )
    assert (a["support_resolution_seconds_p50"], a["support_resolution_seconds_p90"]) == (
        pytest.approx(129600),
        pytest.approx(535680),
    )
    assert (b["support_first_response_seconds_p50"], b["support_first_response_seconds_p90"]) == (
        pytest.approx(7200),
        pytest.approx(10080),
    )
    assert (b["support_resolution_seconds_p50"], b["support_resolution_seconds_p90"]) == (
        pytest.approx(777600),
        pytest.approx(1330560),
    )
    assert (world["support_first_response_seconds_p50"], world["support_first_response_seconds_p90"]) == (
        pytest.approx(5400),
        pytest.approx(18360),
    )


def test_sla_breach_rate_overall_and_by_priority(built: Settings) -> None:
    a, b, world = (of(long_values(built, D), e) for e in (OA, OB, "global"))
    rates = ("support_sla_breach_rate", *(f"support_sla_breach_rate_{p}" for p in ("low", "normal", "high", "urgent")))
    assert [a[r] for r in rates] == [pytest.approx(v) for v in (0.5, 1.0, 1 / 3, 1.0, 0.0)]
    assert [world[r] for r in rates] == [pytest.approx(v) for v in (0.4, 1.0, 0.2, 0.5, 0.5)]
    assert [b.get(r) for r in rates] == [pytest.approx(1 / 3), None, 0.0, 0.0, 1.0], "no low ticket: omitted"
    # t5's first response was due 06-26 01:00 UTC, 06-25 18:00 in Los Angeles: it breached on 06-25
    assert of(long_values(built, date(2026, 6, 24)), OA)["support_sla_breach_rate"] == pytest.approx(0.4)
    assert of(long_values(built, date(2026, 6, 25)), OA)["support_sla_breach_rate"] == pytest.approx(0.5)
    # the window trails 30 days: ta0 (decided 05-01) counts on 05-30, no longer on 05-31
    assert of(long_values(built, date(2026, 5, 30)), OA)["support_sla_breach_rate"] == 0.0
    assert "support_sla_breach_rate" not in of(long_values(built, date(2026, 5, 31)), OA)


def test_csat_is_the_share_of_ratings_of_four_or_five(built: Settings) -> None:
    a, b, world = (of(long_values(built, D), e) for e in (OA, OB, "global"))
    assert (a["support_csat"], a["support_csat_ratings_30d"]) == (pytest.approx(2 / 3), 3)
    assert (b["support_csat"], b["support_csat_ratings_30d"]) == (0.0, 1), "t8's later copy (3) wins over its 5"
    assert (world["support_csat"], world["support_csat_ratings_30d"]) == (pytest.approx(0.5), 4)
    assert of(long_values(built, date(2026, 5, 31)), OA)["support_csat"] == 1.0
    assert "support_csat" not in of(long_values(built, date(2026, 6, 1)), OA)


def test_backlog_follows_each_ticket_version_as_of_the_day(built: Settings) -> None:
    def backlog(entity: str, day: str) -> float:
        return of(long_values(built, date.fromisoformat(day)), entity)["support_backlog"]

    expected_a = {"2026-06-08": 1, "2026-06-09": 0, "2026-06-10": 1, "2026-06-15": 1, "2026-06-16": 0}
    expected_a |= {"2026-06-24": 1, "2026-06-25": 2, "2026-06-30": 2}
    assert {day: backlog(OA, day) for day in expected_a} == expected_a, "t6 solved, reopened, solved again"
    expected_b = {"2026-06-01": 1, "2026-06-10": 1, "2026-06-12": 2, "2026-06-13": 1, "2026-06-17": 1}
    expected_b |= {"2026-06-18": 0, "2026-06-30": 1}
    assert {day: backlog(OB, day) for day in expected_b} == expected_b, "t8 open until its late-sent resolution"
    assert (backlog("global", "2026-06-15"), backlog("global", "2026-06-30")) == (3, 4)


def test_tickets_opened_solved_and_escalated_per_day(built: Settings) -> None:
    def counts(entity: str, day: str) -> tuple[float, float, float]:
        values = of(long_values(built, date.fromisoformat(day)), entity)
        return values["support_tickets_opened"], values["support_tickets_solved"], values["support_escalations"]

    assert counts(OA, "2026-06-10") == (1, 0, 1)
    assert counts(OA, "2026-06-09") == (0, 0, 0), "t6 is solved as of 06-16, as it stands now"
    assert counts(OA, "2026-06-16") == (0, 1, 0)
    assert counts(OA, "2026-06-30") == (0, 0, 0)
    assert counts(OB, "2026-06-01") == (1, 0, 0), "t8 is opened on its creation day, though sent on 06-20"
    assert counts(OB, "2026-06-13") == (0, 1, 1)
    assert counts("global", "2026-06-15") == (1, 0, 0)


def test_tickets_per_100_active_providers(built: Settings) -> None:
    a, b, world = (of(long_values(built, D), e) for e in (OA, OB, "global"))
    assert (a["support_tickets_opened_30d"], a["support_tickets_per_100_active_providers"]) == (6, 150.0)
    assert (b["support_tickets_opened_30d"], b["support_tickets_per_100_active_providers"]) == (3, 100.0)
    assert world["support_tickets_opened_30d"] == 10
    assert world["support_tickets_per_100_active_providers"] == pytest.approx(1000 / 7)
    assert "support_tickets_per_100_active_providers" not in of(long_values(built, date(2026, 5, 1)), OA), (
        "no provider active yet: omitted, never a made-up number"
    )


def test_the_wide_mart_and_the_long_form_agree(built: Settings) -> None:
    rows = {
        r["org_id"]: r for r in query(built, f"select * from {{core}}.mart_support_daily where metric_date = '{D}'")
    }
    assert set(rows) == {OA, OB}
    a = rows[OA]
    assert (a["support_backlog"], a["support_active_providers_30d"], a["support_first_responses_30d"]) == (2, 4, 5)
    assert (a["support_sla_tickets_30d"], a["support_sla_breaches_30d"], a["support_sla_tickets_normal_30d"]) == (
        6,
        3,
        3,
    )
    assert (a["support_csat_satisfied_30d"], a["support_resolutions_30d"]) == (2, 4)
    assert rows[OB]["support_sla_breach_rate_low"] is None
    long_a = of(long_values(built, D), OA)
    assert a["support_csat"] == pytest.approx(long_a["support_csat"])


def test_staging_keeps_versions_as_of_t_and_the_ticket_mart_stands_at_t(built: Settings) -> None:
    versions = query(built, "select ticket_id, updated_at from staging.stg_support__ticket_versions")
    by_ticket: dict[str, int] = {}
    for row in versions:
        by_ticket[row["ticket_id"]] = by_ticket.get(row["ticket_id"], 0) + 1
    assert "t11" not in by_ticket, "created after the as-of time"
    assert (by_ticket["t7"], by_ticket["t8"], by_ticket["t9"]) == (3, 1, 1), "ids normalized; one copy per version"
    tickets: dict[str, dict[str, Any]] = {
        r["ticket_id"]: r for r in query(built, "select * from {core}.mart_support_tickets")
    }
    assert tickets["t7"]["org_id"] == OB and tickets["t7"]["is_escalated"]
    assert tickets["t8"]["csat_score"] == 3 and tickets["t8"]["resolution_seconds"] == 1468800
    assert tickets["t6"]["is_solved"] and tickets["t6"]["resolution_seconds"] == 691200
    assert tickets["t9"]["first_response_at"] is None and tickets["t9"]["is_sla_breached"] is True
    assert tickets["t10"]["org_id"] is None and tickets["t10"]["is_sla_breached"] is False
    assert (tickets["t4"]["first_response_target_minutes"], tickets["t3"]["first_response_target_minutes"]) == (
        1440,
        30,
    )
    status = {r["source_name"]: r for r in query(built, "select * from {core}.source_status")}
    assert (status["support_tickets"]["connected"], status["support_tickets"]["rows_kept"]) == (True, 29)


def test_metrics_daily_carries_support_in_its_domain(built: Settings) -> None:
    found = query(
        built,
        f"select domain, tier, value from {{core}}.metrics_daily where metric_name = 'support_backlog' "
        f"and entity_id = 'global' and metric_date = '{D}'",
    )
    assert found == [{"domain": "support", "tier": 1, "value": 4.0}]
    series = metric_series(built, "support_csat", org_id=OA, start=D, end=D)
    assert series.source_connected and series.points == [(D, pytest.approx(2 / 3))]


@pytest.fixture(scope="module", params=ENGINES)
def never_loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse with app events but no ticket ever loaded, fully built (metrics_daily included)."""
    directory: Path = tmp_path_factory.mktemp(f"no-support-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_support(settings, [], EVENTS)
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def test_not_connected_builds_without_a_single_support_row(never_loaded: Settings) -> None:
    status = {r["source_name"]: r for r in query(never_loaded, "select * from {core}.source_status")}
    assert (status["support_tickets"]["connected"], status["support_tickets"]["rows_kept"]) == (False, 0)
    for model in ("metrics_daily__support", "mart_support_daily", "mart_support_tickets"):
        assert query(never_loaded, f"select count(*) as n from {{core}}.{model}") == [{"n": 0}]
    rows = query(never_loaded, "select count(*) as n from {core}.metrics_daily where domain = 'support'")
    assert rows == [{"n": 0}]
    series = metric_series(never_loaded, "support_backlog")
    assert (series.source_connected, series.points) == (False, [])
