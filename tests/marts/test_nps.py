"""NPS on the hand-worked responses of ``nps_dataset`` (answers in its docstring), once per engine, and the
"source not connected" case: a warehouse where no NPS was ever loaded builds, has no NPS rows (no zeros),
and says so in the CLI and the metric series."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import cli_env
from tests.marts.nps_dataset import AS_OF, OA, OB, OC, OD, RESPONSES, D, land_responses
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.cli import app
from vitals.config import Settings
from vitals.metrics.series import metric_series
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+metrics_daily +mart_customer_success_nps_daily +source_status +sessions"


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"nps-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_responses(settings, RESPONSES)
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def long_values(settings: Settings, day: date) -> dict[tuple[str, str], float]:
    found = query(settings, f"select * from {{core}}.metrics_daily__nps where metric_date = '{day}'")
    return {(r["metric_name"], r["entity_id"]): r["value"] for r in found}


def mart_rows(settings: Settings, day: date) -> dict[str, dict[str, Any]]:
    found = query(settings, f"select * from {{core}}.mart_customer_success_nps_daily where metric_date = '{day}'")
    return {r["org_id"]: r for r in found}


def test_nps_per_org_and_global_on_the_as_of_day(built: Settings) -> None:
    values = long_values(built, D)
    assert values[("nps", OA)] == pytest.approx(25.0)
    assert values[("nps", OB)] == pytest.approx(-40.0)
    assert values[("nps", OC)] == pytest.approx(-100.0)
    assert values[("nps", "global")] == pytest.approx(-6.25)
    assert ("nps", OD) not in values, "no response in the window: no value, never a made-up one"
    responses = {k[1]: v for k, v in values.items() if k[0] == "nps_responses"}
    assert responses == {OA: 8, OB: 5, OC: 2, OD: 0, "global": 16}


def test_the_wide_mart_counts_each_category(built: Settings) -> None:
    rows = mart_rows(built, D)
    counts = {
        org: (r["nps_responses"], r["nps_promoters"], r["nps_passives"], r["nps_detractors"]) for org, r in rows.items()
    }
    assert counts == {OA: (8, 4, 2, 2), OB: (5, 1, 1, 3), OC: (2, 0, 0, 2), OD: (0, 0, 0, 0)}
    assert rows[OD]["nps"] is None
    assert rows[OA]["nps"] == pytest.approx(25.0)


def test_the_window_trails_ninety_days(built: Settings) -> None:
    assert long_values(built, date(2026, 6, 29))[("nps", OA)] == pytest.approx(100 * 3 / 9)
    first = long_values(built, date(2026, 4, 1))
    assert (first[("nps", OA)], first[("nps_responses", OA)]) == (pytest.approx(100.0), 1)
    assert long_values(built, date(2026, 5, 29))[("nps_responses", OD)] == 1
    assert ("nps", OD) not in long_values(built, date(2026, 5, 30))
    spans = query(
        built,
        "select entity_id, min(metric_date) as first_day, max(metric_date) as last_day "
        "from {core}.metrics_daily__nps group by entity_id",
    )
    by_entity = {r["entity_id"]: (r["first_day"], r["last_day"]) for r in spans}
    assert by_entity["global"] == (date(2026, 3, 1), D)
    assert by_entity[OB] == (date(2026, 6, 15), D)


def test_staging_dedupes_normalizes_and_dates_in_business_time(built: Settings) -> None:
    rows = {r["response_id"]: r for r in query(built, "select * from staging.stg_nps__responses")}
    assert "a10" not in rows, "answered after the as-of time"
    assert rows["a8"]["score"] == 10 and rows["a8"]["nps_category"] == "promoter", "the last landed copy wins"
    assert rows["b2"]["org_id"] == OB
    assert rows["x1"]["org_id"] is None
    assert rows["b3"]["response_date"] == date(2026, 6, 19)
    assert rows["a1"]["comment"] == "Saves me an hour a day"
    status = query(built, "select * from {core}.source_status where source_name = 'nps_responses'")
    assert [(s["source_name"], s["connected"], s["rows_kept"]) for s in status] == [("nps_responses", True, 18)]


@pytest.fixture(scope="module", params=ENGINES)
def never_loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse where no NPS file was ever loaded, fully built (metrics_daily included)."""
    directory: Path = tmp_path_factory.mktemp(f"no-nps-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings


def test_not_connected_builds_without_a_single_nps_row(never_loaded: Settings) -> None:
    status = query(never_loaded, "select * from {core}.source_status where source_name = 'nps_responses'")
    assert [(s["source_name"], s["connected"], s["rows_kept"]) for s in status] == [("nps_responses", False, 0)]
    for model in ("metrics_daily__nps", "mart_customer_success_nps_daily"):
        assert query(never_loaded, f"select count(*) as n from {{core}}.{model}") == [{"n": 0}]
    nps_rows = query(never_loaded, "select count(*) as n from {core}.metrics_daily where metric_name like 'nps%'")
    assert nps_rows == [{"n": 0}]


def test_not_connected_is_said_by_the_series_and_the_cli(never_loaded: Settings) -> None:
    series = metric_series(never_loaded, "nps")
    assert (series.source_connected, series.points) == (False, [])
    shown = CliRunner().invoke(app, ["metrics", "show", "nps", "--org", OA], env=cli_env(never_loaded))
    assert shown.exit_code == 0, shown.output
    assert "source not connected" in shown.output and "nps_responses" in shown.output


def test_connected_metrics_daily_and_series_carry_nps(built: Settings) -> None:
    found = query(
        built,
        f"select domain, tier, value from {{core}}.metrics_daily where metric_name = 'nps' "
        f"and entity_id = 'global' and metric_date = '{D}'",
    )
    assert found == [{"domain": "customer_success", "tier": 1, "value": pytest.approx(-6.25)}]
    series = metric_series(built, "nps", org_id=OB, start=D, end=D)
    assert series.source_connected and series.points == [(D, pytest.approx(-40.0))]
