"""An incremental build equals a full rebuild, on every model's table, on DuckDB and PostgreSQL.

One generated set arrives in four increments (tests/transform/increments.py: rows loaded before they happen,
late rows for past days, a new org, late job completions, duplicates that lose and that win, later invoice
states, an event weeks before the data starts). After each checkpoint build, a copy of the warehouse is
rebuilt with --full-refresh, and every table dbt built is compared row for row.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import ENGINES, fresh_pg_database, make_settings, normal_value, require_postgres
from tests.transform.increments import Increments, split
from vitals.config import Settings
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build, dbt_dir

AS_OFS = [
    datetime(2026, 10, 20, 18, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 3, 30, tzinfo=UTC),
    datetime(2026, 10, 28, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
]
CHECKPOINTS = {2, 4, 5}
"""Builds (1-based) after which the warehouse is compared with a full rebuild of a copy of it."""
BUILD_TIME_COLUMNS = {"metrics_daily": {"computed_as_of", "loaded_through"}}
"""Columns that record when a row was computed, not what it says."""


@pytest.fixture(scope="module")
def increments(tmp_path_factory: pytest.TempPathFactory) -> Increments:
    root = tmp_path_factory.mktemp("increments")
    generate(root / "full", orgs=6, days=21, seed=5, end=date(2026, 10, 31), fmt="parquet", progress=False)
    return split(root / "full", root / "parts", AS_OFS)


def _models(settings: Settings) -> list[tuple[str, str]]:
    """(schema, table) of every model dbt materialized, from the last build's manifest."""
    manifest = json.loads((dbt_dir(settings) / "target" / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    )


def _snapshot(settings: Settings) -> dict[str, Counter[tuple[Any, ...]]]:
    tables: dict[str, Counter[tuple[Any, ...]]] = {}
    with open_warehouse(settings) as wh:
        for schema, table in _models(settings):
            data = wh.query_arrow(f"select * from {schema}.{table}")
            skip = BUILD_TIME_COLUMNS.get(table, set())
            columns = sorted(c for c in data.column_names if c not in skip)
            tables[table] = Counter(tuple(normal_value(row[c]) for c in columns) for row in data.to_pylist())
    return tables


@contextmanager
def _copy(engine: str, settings: Settings, target: Path) -> Iterator[Settings]:
    """A second warehouse holding the same rows (same `_loaded_at`), to rebuild whole."""
    if engine == "duckdb":
        target.mkdir(parents=True)
        shutil.copy(settings.warehouse, target / "vitals.duckdb")
        yield make_settings(engine, target)
        return
    source = psycopg.conninfo.conninfo_to_dict(settings.postgres.dsn)["dbname"]
    with fresh_pg_database(template=str(source)) as dsn:
        yield make_settings(engine, target, dsn)


def _same_rows(left: Counter[tuple[Any, ...]], right: Counter[tuple[Any, ...]]) -> bool:
    """Equal multisets of rows, floats within summation-order noise (engines add in parallel)."""
    if left == right:
        return True
    if sum(left.values()) != sum(right.values()):
        return False
    ordered = [sorted(rows.elements(), key=repr) for rows in (left, right)]
    return all(
        len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True)) for a, b in zip(*ordered, strict=True)
    )


def _close(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-5)
    return bool(x == y)


def _assert_same(incremental: dict[str, Counter[Any]], full: dict[str, Counter[Any]], label: str) -> None:
    assert set(incremental) == set(full)
    problems = []
    for table in sorted(full):
        if not _same_rows(incremental[table], full[table]):
            extra = incremental[table] - full[table]
            missing = full[table] - incremental[table]
            problems.append(
                f"{table}: {sum(extra.values())} rows only incremental, {sum(missing.values())} only full, "
                f"e.g. {list(extra)[:1]} / {list(missing)[:1]}"
            )
    assert not problems, f"{label}: incremental differs from a full rebuild:\n" + "\n".join(problems)


@pytest.mark.parametrize("engine", ENGINES)
def test_increments_equal_a_full_rebuild(engine: str, increments: Increments, tmp_path: Path, request: Any) -> None:
    pg_dsn = None
    if engine == "postgres":
        require_postgres()
        pg_dsn = request.getfixturevalue("pg_database")
    settings = make_settings(engine, tmp_path / "incremental", pg_dsn)
    kinds = []
    for number, (part, as_of) in enumerate(zip(increments.parts, increments.as_ofs, strict=True), start=1):
        load_directory(settings, part, progress=False)
        result = build(settings, as_of=as_of)
        kinds.append(result.plan.kind)
        if number not in CHECKPOINTS:
            continue
        with _copy(engine, settings, tmp_path / f"full{number}") as copy:
            rebuilt = build(copy, as_of=as_of, full_refresh=True)
            assert rebuilt.plan.kind == "full"
            _assert_same(_snapshot(settings), _snapshot(copy), f"build {number} as of {as_of:%Y-%m-%d %H:%M}")
    assert kinds == ["first", "incremental", "incremental", "incremental", "incremental"]
