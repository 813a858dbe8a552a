"""Warehouse engines behind one small interface: DuckDB (default), PostgreSQL and Apache Spark."""

from vitals.warehouse.base import Warehouse, WarehouseError, WarehouseLockedError
from vitals.warehouse.connect import open_warehouse

__all__ = ["Warehouse", "WarehouseError", "WarehouseLockedError", "open_warehouse"]
