"""A DuckDB warehouse built once per test process, and a PostgreSQL one for the scoping tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.api_dataset import Api, built_api


@pytest.fixture(scope="session")
def duck_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with built_api("duckdb", tmp_path_factory.mktemp("api-duckdb")) as api:
        yield api


@pytest.fixture(scope="session")
def pg_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with built_api("postgres", tmp_path_factory.mktemp("api-postgres")) as api:
        yield api


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_api(request: pytest.FixtureRequest) -> Api:
    """The API on each engine (DuckDB, PostgreSQL)."""
    return request.getfixturevalue("duck_api" if request.param == "duckdb" else "pg_api")
