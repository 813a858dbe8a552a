"""Warehouse connections for the API when one process owns the DuckDB database: a cursor per request.

``vitals serve`` holds one ``duckdb.connect(path)`` for ingest, builds and reads (DuckDB allows one writing
process per file). ``cursor_factory(con)`` gives the API a connection per request over it: closing the
request's cursor leaves the owner's connection open.
"""

from __future__ import annotations

import duckdb

from vitals.api.auth import WarehouseFactory
from vitals.warehouse.base import Warehouse
from vitals.warehouse.duckdb_engine import DuckDBWarehouse


class DuckDBCursorWarehouse(DuckDBWarehouse):
    """A Warehouse over a cursor of a connection someone else owns."""

    def __init__(self, con: duckdb.DuckDBPyConnection, core_schema: str = "main") -> None:
        self.path = None  # type: ignore[assignment]
        self.core_schema = core_schema
        self.con = con.cursor()
        self.con.execute("set TimeZone = 'UTC'")
        self._search_path()


def tune_for_reads(warehouse: Warehouse) -> None:
    """Session settings of an API connection. DuckDB: no ART index scans; they fetch matching rows one
    by one, several times slower for the API's reads (a day of a mart, a metric's days) than the scan the
    table's zone maps prune."""
    if warehouse.engine == "duckdb":
        warehouse.execute("set session index_scan_max_count = 0")


def cursor_factory(con: duckdb.DuckDBPyConnection, core_schema: str = "main") -> WarehouseFactory:
    """A ``connect`` for ``create_api_router``: each call opens a cursor of ``con``."""

    def connect() -> Warehouse:
        return DuckDBCursorWarehouse(con, core_schema)

    return connect
