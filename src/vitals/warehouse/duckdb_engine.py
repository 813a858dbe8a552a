"""DuckDB file warehouse: the embedded default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from vitals.warehouse.base import Warehouse, WarehouseError, WarehouseLockedError

LOCK_HINT = (
    "the DuckDB warehouse {path} is in use by another process (DuckDB allows one writer per file). "
    "Stop that process, or, if it is `vitals serve`, ask the server to do the work (see `vitals --help`), "
    "or point VITALS_WAREHOUSE at another file."
)


def connect_duckdb(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file in UTC; raise ``WarehouseLockedError`` with advice when it is locked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(LOCK_HINT.format(path=path)) from exc
        raise WarehouseError(f"cannot open DuckDB warehouse {path}: {exc}") from exc
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")  # progress is vitals' to show (or not), never DuckDB's
    return con


class DuckDBWarehouse(Warehouse):
    """A connection to a DuckDB warehouse file."""

    engine = "duckdb"

    def __init__(self, path: Path, core_schema: str = "main", *, read_only: bool = False) -> None:
        self.path = path
        self.core_schema = core_schema
        self.con = connect_duckdb(path, read_only=read_only)
        self._search_path()

    def _search_path(self) -> None:
        schemas = [
            row[0]
            for row in self.con.execute(
                "select schema_name from information_schema.schemata where catalog_name = current_database()"
            ).fetchall()
        ]
        wanted = [s for s in (self.core_schema, "staging", "intermediate", "raw") if s in schemas]
        if wanted:
            self.con.execute(f"set search_path = '{','.join(wanted)}'")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()

    def query_arrow(self, sql: str) -> pa.Table:
        return self.con.execute(sql).to_arrow_table()

    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        self.con.register("_vitals_append", data)
        try:
            cols = ", ".join(data.column_names)
            self.con.execute(f"insert into {schema}.{table} ({cols}) select {cols} from _vitals_append")
        finally:
            self.con.unregister("_vitals_append")

    def insert_counting(self, schema: str, table: str, sql: str, params: Sequence[Any] | None = None) -> int:
        row = self.con.execute(sql, params).fetchone()
        return int(row[0]) if row else 0

    def create_scratch_table(self, table: str, columns: Sequence[tuple[str, str]]) -> str:
        """A temporary table (schema ``temp``): private to this connection, never logged."""
        self.execute(f"create temp table {table} ({self._column_definitions(columns)})")
        return "temp"

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        )
        return bool(rows)

    def close(self) -> None:
        self.con.close()
