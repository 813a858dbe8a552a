"""The DuckDB warehouse reads a file itself: one statement, progress as it goes, repeats landed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vitals.config import Settings
from vitals.ingest.direct import land_file
from vitals.ingest.file_formats import prepare_source
from vitals.ingest.files import load_files, source_file
from vitals.ingest.landing import transaction
from vitals.warehouse.duckdb_engine import DuckDBWarehouse


def test_a_file_lands_in_one_statement_reporting_progress_and_once_per_row(
    tmp_path: Path, write_source: Any, rows: Any
) -> None:
    events = [rows.event(n) for n in range(1, 40)]
    path = write_source("events_big", [*events, events[0], events[1]], "parquet")
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    seen: list[tuple[int, int]] = []
    with DuckDBWarehouse(settings.warehouse) as warehouse:
        warehouse.ensure_raw_tables()
        prepared = prepare_source(warehouse.con, source_file(path), settings.property_allowlist, "records")
        with transaction(warehouse):
            first = land_file(
                warehouse, prepared, "2030-01-01T00:00:00.000000Z", lambda done, total: seen.append((done, total))
            )
        with transaction(warehouse):
            again = land_file(warehouse, prepared, "2030-01-01T00:00:01.000000Z")
        stored = warehouse.query("select count(*), count(distinct _row_hash), min(_loaded_at) from raw.events_big")

    assert (first.rows_read, first.rows_inserted) == (41, 39)
    assert (again.rows_read, again.rows_inserted) == (41, 0)
    assert stored == [(39, 39, "2030-01-01T00:00:00.000000Z")]
    assert seen[0] == (0, 41) and seen[-1] == (41, 41)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_load_leaves_the_shared_database_memory_limit_as_it_found_it(
    tmp_path: Path, write_source: Any, rows: Any
) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    settings.ingest.memory_limit = "512MB"
    path = write_source("events_big", [rows.event(1)], "csv")
    with DuckDBWarehouse(settings.warehouse) as server:  # vitals serve holds the same database in-process
        server.execute("set memory_limit = '3GB'")
        before = server.query("select current_setting('memory_limit')")
        report = load_files(settings, [path], progress=False)
        after = server.query("select current_setting('memory_limit')")

    assert report.rows_inserted == 1
    assert _gib(after[0][0]) == pytest.approx(_gib(before[0][0]), abs=0.15)  # DuckDB shows it to 0.1 GiB


def _gib(shown: str) -> float:
    """A memory limit as DuckDB shows it (``2.7 GiB``, ``488.2 MiB``), in GiB."""
    number, unit = shown.split()
    return float(number) / {"GiB": 1, "MiB": 1024, "KiB": 1024 * 1024}[unit]
