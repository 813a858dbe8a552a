"""Shared fixtures: settings and a fresh warehouse per engine (DuckDB file, PostgreSQL database).

PostgreSQL tests skip when no server answers at $VITALS_TEST_PG (default 127.0.0.1:5432), except
under CI=true, where they fail instead: CI must run them.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from vitals.config import Settings

# Builds of the hand-made datasets skip dbt's data tests: they run, with the unit tests, in the builds that ask
# for them (`tests=True`: the core dataset on DuckDB and PostgreSQL, the generated set, every engine's equivalence
# build). Subprocesses (the CLI, the served dashboard) inherit it.
os.environ.setdefault("VITALS_DATA_TESTS", "never")
KEPT_ENVIRONMENT = {"VITALS_TEST_PG", "VITALS_DATA_TESTS"}
"""The VITALS_* variables a test keeps: the test server's address and the data-tests default above."""

PG_ADMIN_DSN = os.environ.get("VITALS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ENGINES = ["duckdb", "postgres"]


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    """Skip (locally) or fail (CI=true) when PostgreSQL is not reachable."""
    if _pg_available():
        return
    message = f"PostgreSQL not reachable at {PG_ADMIN_DSN}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the Postgres tests must run)")
    pytest.skip(message)


def _dsn_for(database: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
    info["dbname"] = database
    return psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]


@contextmanager
def fresh_pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` when given) planning parallel queries even on small
    tables; yields its DSN and drops it afterwards."""
    require_postgres()
    name = f"vitals_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
        con.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
        _force_parallel_plans(con, name)
    try:
        yield _dsn_for(name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as con:
            con.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its DSN and drops it afterwards."""
    with fresh_pg_database() as dsn:
        yield dsn


def _force_parallel_plans(con: psycopg.Connection[Any], database: str) -> None:
    """Make PostgreSQL plan parallel queries even on test-sized tables, so that code which breaks in a
    parallel plan (a function wrongly declared parallel safe, say) fails here as it would on real data."""
    version = int(con.execute("show server_version_num").fetchone()[0])  # type: ignore[index]
    force = "debug_parallel_query" if version >= 160000 else "force_parallel_mode"
    for setting, value in (
        (force, "on"),
        ("parallel_setup_cost", "0"),
        ("parallel_tuple_cost", "0"),
        ("min_parallel_table_scan_size", "0"),
        ("min_parallel_index_scan_size", "0"),
    ):
        con.execute(f'alter database "{database}" set {setting} = {value}')


def normal_value(value: Any) -> Any:
    """One comparable form per value, whatever the engine's driver returned (rows compared across engines
    or builds): timestamps as naive ISO text, numbers as floats rounded to 6 places, NaN as None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, float | Decimal):
        number = float(value)
        return None if math.isnan(number) else round(number, 6)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    return str(value)


def make_settings(engine: str, tmp_path: Path, pg_dsn: str | None = None, **overrides: object) -> Settings:
    """Settings for a throwaway warehouse of the given engine under ``tmp_path``."""
    base: dict[str, object] = {
        "engine": engine,
        "warehouse": tmp_path / "vitals.duckdb",
        "state_dir": tmp_path / ".vitals",
    }
    if engine == "postgres":
        assert pg_dsn is not None, "postgres settings need a DSN"
        base["postgres"] = {"dsn": pg_dsn}
    if engine == "spark":
        base["spark"] = {"warehouse_dir": tmp_path / "spark-warehouse"}
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's vitals.toml or VITALS_* environment."""
    for key in list(os.environ):
        if key.startswith("VITALS_") and key not in KEPT_ENVIRONMENT:
            monkeypatch.delenv(key)
    monkeypatch.setenv("VITALS_CONFIG", str(tmp_path / "absent-vitals.toml"))


@pytest.fixture(params=ENGINES)
def engine_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh warehouse, once per engine (DuckDB and PostgreSQL)."""
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_database")
        return make_settings("postgres", tmp_path, dsn)
    return make_settings(request.param, tmp_path)


def cli_env(settings: Settings) -> dict[str, str]:
    """The VITALS_* variables that point the CLI at the warehouse of ``settings``."""
    env = {"VITALS_ENGINE": settings.engine, "VITALS_STATE_DIR": str(settings.state_dir)}
    if settings.engine == "postgres":
        env["VITALS_POSTGRES__DSN"] = settings.postgres.dsn
    else:
        env["VITALS_WAREHOUSE"] = str(settings.warehouse)
    return env
