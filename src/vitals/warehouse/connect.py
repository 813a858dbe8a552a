"""Open the configured warehouse."""

from __future__ import annotations

from vitals.config import Settings
from vitals.warehouse.base import Warehouse


def open_warehouse(settings: Settings, *, read_only: bool = False) -> Warehouse:
    """A connection to the warehouse the settings name (DuckDB, PostgreSQL or Spark)."""
    if settings.engine == "duckdb":
        from vitals.warehouse.duckdb_engine import DuckDBWarehouse

        return DuckDBWarehouse(settings.warehouse, read_only=read_only)
    if settings.engine == "postgres":
        from vitals.warehouse.postgres_engine import PostgresWarehouse

        return PostgresWarehouse(settings.postgres.dsn, settings.postgres.schema_name)
    from vitals.warehouse.spark_engine import SparkWarehouse

    return SparkWarehouse(settings)
