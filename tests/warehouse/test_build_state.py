"""When a build may go on incrementally, and why it must be full (no dbt run: the state table by hand)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from tests.conftest import make_settings

from vitals.config import Settings
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse
from vitals.warehouse.build_state import STATE_TABLE, BuildPlan, fingerprint, plan_build
from vitals.warehouse.dbt import PROJECT_DIR, runs_tests

T = datetime(2026, 11, 1, 8, 0)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    with open_warehouse(make_settings("duckdb", tmp_path)) as opened:
        yield opened


def _built(warehouse: Warehouse, as_of: str = "2026-11-01 08:00:00", found: str | None = "abc") -> None:
    warehouse.execute("create table main.metrics_daily (metric_date date)")
    warehouse.execute(
        f"create table main.{STATE_TABLE} (model_name varchar, loaded_through varchar, "
        "next_loaded_through varchar, as_of timestamp, fingerprint varchar, invocation_id varchar)"
    )
    warehouse.execute(f"insert into main.{STATE_TABLE} values ('stg_app__events', 'x', 'x', ?, ?, 'i')", [as_of, found])


def test_a_new_warehouse_gets_a_first_build(warehouse: Warehouse) -> None:
    assert plan_build(warehouse, T, "abc").kind == "first"


def test_a_built_warehouse_goes_on_incrementally(warehouse: Warehouse) -> None:
    _built(warehouse)
    plan = plan_build(warehouse, T, "abc")
    assert (plan.kind, plan.full_refresh, plan.runs_tests) == ("incremental", False, False)


def test_an_earlier_as_of_rebuilds_whole(warehouse: Warehouse) -> None:
    _built(warehouse)
    plan = plan_build(warehouse, datetime(2026, 10, 31, 8, 0), "abc")
    assert plan.kind == "full" and "earlier than the last build's 2026-11-01 08:00:00" in (plan.reason or "")


def test_changed_models_or_settings_rebuild_whole(warehouse: Warehouse) -> None:
    _built(warehouse)
    plan = plan_build(warehouse, T, "def")
    assert plan.kind == "full" and "changed" in (plan.reason or "")


def test_an_unfinished_state_rebuilds_whole(warehouse: Warehouse) -> None:
    _built(warehouse, found=None)
    assert plan_build(warehouse, T, "abc").kind == "full"


def test_a_warehouse_built_before_the_state_was_kept_rebuilds_whole(warehouse: Warehouse) -> None:
    warehouse.execute("create table main.metrics_daily (metric_date date)")
    plan = plan_build(warehouse, T, "abc")
    assert plan.kind == "full" and "before incremental builds kept their state" in (plan.reason or "")


def test_asked_for_full_refresh(warehouse: Warehouse) -> None:
    _built(warehouse)
    assert plan_build(warehouse, T, "abc", full_refresh=True).kind == "full"


def test_fingerprint_follows_settings_and_ignores_as_of() -> None:
    base = {"business_tz": "America/Los_Angeles", "as_of": "2026-11-01 08:00:00"}
    same = fingerprint(PROJECT_DIR, {**base, "as_of": "2026-11-02 08:00:00"})
    assert fingerprint(PROJECT_DIR, base) == same
    assert fingerprint(PROJECT_DIR, {**base, "business_tz": "UTC"}) != same


@pytest.mark.parametrize(
    ("setting", "first", "incremental"), [("auto", True, False), ("always", True, True), ("never", False, False)]
)
def test_the_data_tests_setting_decides_when_a_build_tests(setting: str, first: bool, incremental: bool) -> None:
    settings = Settings(data_tests=setting)
    assert (runs_tests(settings, BuildPlan("first")), runs_tests(settings, BuildPlan("incremental"))) == (
        first,
        incremental,
    )
