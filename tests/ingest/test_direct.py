"""The DuckDB warehouse reads a file itself: one statement, progress as it goes, repeats landed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vitals.config import Settings
from vitals.ingest.direct import land_file
from vitals.ingest.file_formats import prepare_source
from vitals.ingest.files import source_file
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
