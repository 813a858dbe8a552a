"""The loaders' scratch DuckDB: an in-process database where sources are read, checked and cleaned.

Nothing here touches the warehouse. Rows are read into this database, validated and sanitized
(PHI dropped, row hash computed) with vectorized SQL, and only then streamed to the warehouse.
It lives in memory and spills to ``<state_dir>/ingest-tmp`` when a source is larger than memory.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from vitals.config import Settings

ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""strftime format of timestamps that arrive typed (Parquet, Postgres): UTC ISO-8601 text."""


def open_reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB in UTC that keeps file order, within ``ingest.memory_limit``, spilling to the
    state dir."""
    spill = Path(settings.state_dir) / "ingest-tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set preserve_insertion_order = true")
    con.execute("set enable_progress_bar = false")
    con.execute(f"set temp_directory = {sql_literal(str(spill))}")
    con.execute(f"set memory_limit = {sql_literal(settings.ingest.memory_limit)}")
    return con


def sql_literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
