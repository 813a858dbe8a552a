"""One generated set, loaded and built on DuckDB, PostgreSQL and Spark: the core tables and metrics_daily
(every metric, at every grain, on every day) are identical."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings, normal_value
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

CORE_TABLES = ("organizations", "providers", "summarization_jobs", "sessions")
METRICS_COLUMNS = "metric_date, metric_name, domain, entity_type, entity_id, value, tier"
"""metrics_daily less computed_as_of and loaded_through, which record when each engine's load ran."""
TABLES = {
    **{table: f"select * from {{schema}}.{table}" for table in CORE_TABLES},
    "metrics_daily": f"select {METRICS_COLUMNS} from {{schema}}.metrics_daily",
    "source_status": "select source_name, connected, rows_kept, first_at, newest_at from {schema}.source_status",
}
AS_OF = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _snapshot(settings: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with open_warehouse(settings) as wh:
        for table, sql in TABLES.items():
            data = wh.query_arrow(sql.format(schema=wh.core_schema))
            columns = sorted(data.column_names)
            rows = [tuple(normal_value(row[c]) for c in columns) for row in data.to_pylist()]
            tables[table] = [tuple(columns), *sorted(rows, key=repr)]
    return tables


@pytest.mark.spark
def test_core_tables_and_metrics_identical_on_duckdb_postgres_and_spark(tmp_path: Path, pg_database: str) -> None:
    data = tmp_path / "data"
    generate(data, orgs=6, days=21, seed=11, end=date(2026, 10, 31), fmt="parquet", progress=False)
    snapshots = {}
    for engine in ("duckdb", "postgres", "spark"):
        settings = make_settings(engine, tmp_path / engine, pg_database)
        load_directory(settings, data, progress=False)
        build(settings, as_of=AS_OF)
        snapshots[engine] = _snapshot(settings)
    reference = snapshots["duckdb"]
    for table in TABLES:
        assert len(reference[table]) > (1 if table == "source_status" else 2), f"{table} is empty on the generated set"
    at = reference["metrics_daily"][0].index("domain")
    domains = {row[at] for row in reference["metrics_daily"][1:]}
    assert {"kpi", "product", "reliability", "customer_success", "data_health", "revenue"} <= domains
    names = {row[reference["metrics_daily"][0].index("metric_name")] for row in reference["metrics_daily"][1:]}
    assert {"nps", "nps_responses"} <= names, "the generated NPS answers reach metrics_daily"
    for engine in ("postgres", "spark"):
        for table in TABLES:
            expected, got = reference[table], snapshots[engine][table]
            assert got[0] == expected[0], f"{engine}.{table} columns differ"
            diff = set(got[1:]) ^ set(expected[1:])
            assert not diff, (
                f"{engine}.{table} differs from duckdb in {len(diff)} rows, e.g. {sorted(diff, key=repr)[:2]}"
            )
