"""A large export streams: `vitals serve` in its own process sends ~230 MB of CSV and ~140 MB of Parquet while
its peak resident memory grows by a small, bounded amount (an export held in memory would grow by more than
the export's size). The mart is a view generating its rows, so what grows is the export path alone, not
DuckDB's cache of a stored table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import make_settings
from vitals.bench.exports import measure_export
from vitals.bench.served import serving

ROWS = 3_000_000
BOUND_MB = 64


@pytest.fixture(scope="module")
def big_mart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose ``metrics_daily`` is a view of ROWS generated rows (a distinct org id each)."""
    path = tmp_path_factory.mktemp("export-memory") / "vitals.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create view main.metrics_daily as select date '2020-01-01' + cast(i % 2000 as integer) as metric_date, "
        "'metric_' || (i % 97) as metric_name, 'org' as entity_type, cast(uuid() as varchar) as entity_id, "
        f"i * 0.5 as value from range({ROWS}) t(i)"
    )
    con.close()
    return path


@pytest.mark.parametrize(("fmt", "at_least_mb"), [("csv", 200), ("parquet", 120)])
def test_a_large_export_streams_in_bounded_server_memory(
    big_mart: Path, tmp_path: Path, fmt: str, at_least_mb: int
) -> None:
    settings = make_settings("duckdb", tmp_path, warehouse=big_mart)
    with serving(settings, name="memory") as served:
        run, reset = measure_export(served, "metrics_daily", fmt)
    assert reset, "the kernel refused to reset the peak RSS (/proc/PID/clear_refs)"
    assert run.bytes > at_least_mb * 1_000_000
    assert run.rows == ROWS
    assert run.chunks > ROWS // 10_000  # at least one chunk per batch of rows: sent as it is made
    assert run.peak_growth_mb < BOUND_MB, run
