"""Warehouses shared by the sales and marketing tests: the hand-worked CRM and marketing history of
``sales_dataset`` built once per engine, and a warehouse where none of it was ever loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.marts.sales_dataset import AS_OF, EVENTS, INVOICES, RATES, land_sales, land_tables
from tests.transform.transform_dataset import engine_warehouse, land
from vitals.config import Settings
from vitals.contracts import CURRENCY_RATES
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=ENGINES)
def sales_built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The sales dataset with its revenue, rates and product events, built (with the data tests) as of AS_OF."""
    directory: Path = tmp_path_factory.mktemp(f"sales-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_sales(settings)
        result = build(settings, as_of=AS_OF)
        assert result.success and not result.failures()
        yield settings


@pytest.fixture(scope="session", params=ENGINES)
def sales_not_loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The same revenue, rates and product events without any CRM or marketing row, fully built."""
    directory: Path = tmp_path_factory.mktemp(f"no-sales-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_tables(settings, {CURRENCY_RATES: RATES})
        land(settings, EVENTS, INVOICES, [])
        result = build(settings, as_of=AS_OF)
        assert result.success and not result.failures()
        yield settings
