"""Create a schema's tables once per process and warehouse: requests check with one cheap probe instead of
running the DDL (or an information_schema query) every time."""

from __future__ import annotations

from collections.abc import Callable

from vitals.warehouse.base import Warehouse

_ENSURED: set[tuple[str, str, str]] = set()


def _probe(warehouse: Warehouse, table: str) -> bool:
    try:
        warehouse.query(f"select 1 from {table} where 1 = 0")
    except Exception:  # the engines' own "no such table" errors
        return False
    return True


def ensure_once(warehouse: Warehouse, probe_table: str, create: Callable[[], None]) -> None:
    """Run ``create`` unless this process already did for this warehouse and ``probe_table`` (a
    ``schema.table`` that ``create`` makes) is still there."""
    where = getattr(warehouse, "path", None) or getattr(warehouse, "dsn", None)
    key = (warehouse.engine, str(where), probe_table)
    if where is not None and key in _ENSURED and _probe(warehouse, probe_table):
        return
    create()
    if where is not None:
        _ENSURED.add(key)
