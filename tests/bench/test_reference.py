"""The benchmark reference (plain DuckDB SQL) computes the same core tables as the project's load and build.

One small generated dataset, built as of a time inside its data (so later rows are dropped, some jobs are
still pending and some timed out) by the project and by ``run_reference``; every core table must hold the
same rows in every column.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import make_settings, normal_value
from vitals.bench.reference import CORE_TABLES, STAGED_TABLES, main, run_reference
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse
from vitals.warehouse.dbt import build

AS_OF = datetime(2026, 10, 28, 23, 50, tzinfo=UTC)
"""Inside the generated window (which ends 2026-11-01 07:00 UTC), minutes after a job that later times out
started (so it is pending then)."""

Rows = Counter[tuple[Any, ...]]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("reference") / "data"
    generate(directory, orgs=4, days=14, seed=3, end=date(2026, 10, 31), fmt="parquet", progress=False)
    return directory


def _project_rows(warehouse: Warehouse, table: str, columns: list[str]) -> Rows:
    data = warehouse.query_arrow(f"select {', '.join(columns)} from main.{table}").to_pylist()
    return Counter(tuple(normal_value(row[c]) for c in columns) for row in data)


def _reference_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> Rows:
    data = con.execute(f"select {', '.join(columns)} from main.{table}").fetchall()
    return Counter(tuple(normal_value(value) for value in row) for row in data)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return sorted(row[0] for row in con.execute(f"describe main.{table}").fetchall())


def _difference(table: str, project: Rows, reference: Rows) -> str | None:
    if project == reference:
        return None
    only_project, only_reference = project - reference, reference - project
    return (
        f"{table}: {sum(only_project.values())} rows only in the project's table, "
        f"{sum(only_reference.values())} only in the reference's, e.g. {list(only_project)[:1]} / "
        f"{list(only_reference)[:1]}"
    )


def test_reference_equals_the_project_core_tables(dataset: Path, tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path / "project")
    load_directory(settings, dataset, progress=False)
    build(settings, as_of=AS_OF, select=" ".join(f"+{table}" for table in CORE_TABLES), tests=False)
    result = run_reference(dataset, AS_OF, database=tmp_path / "reference.duckdb")

    problems = []
    with (
        open_warehouse(settings) as project,
        duckdb.connect(str(tmp_path / "reference.duckdb"), read_only=True) as reference,
    ):
        for table in CORE_TABLES:
            columns = sorted(c.lower() for c in project.query_arrow(f"select * from main.{table} limit 0").column_names)
            assert _columns(reference, table) == columns, f"{table}: the reference has other columns"
            project_rows = _project_rows(project, table, columns)
            reference_rows = _reference_rows(reference, table, columns)
            assert result.rows[table] == sum(reference_rows.values())
            problem = _difference(table, project_rows, reference_rows)
            if problem:
                problems.append(problem)
        statuses = {
            row[0]
            for row in project.query("select distinct coalesce(error_level, status) from main.summarization_jobs")
        }
        pending = project.query("select count(*) from intermediate.int_jobs_derived where is_pending")[0][0]
        flags = project.query("select bool_or(has_success), bool_or(has_error) from main.sessions")[0]
    assert not problems, "the reference differs from the project:\n" + "\n".join(problems)
    # the dataset exercises the rules: successes, errors and timeouts, pending jobs left out, sessions
    # with a success and with an error
    assert {"success", "error", "timeout"} <= statuses
    assert pending > 0
    assert flags == (True, True)


def test_main_prints_seconds_and_rows(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(dataset), "--as-of", AS_OF.isoformat()]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed["steps"]) == [*STAGED_TABLES, *CORE_TABLES]
    assert printed["total_seconds"] >= sum(printed["steps"].values())
    assert printed["rows"]["summarization_jobs"] > 0
