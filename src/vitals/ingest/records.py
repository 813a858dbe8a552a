"""Rows built in Python (an API pull) into a raw contract, checked and hashed like a file's rows.

The rows go through the same steps as every other way in: the reader holds them as text, PHI is
dropped (``sanitize``), the contract's checks name the first bad row by its key (``validation``),
then one row per hash lands where it is not already (``landing.land_batches``). The caller holds
the warehouse transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from vitals.contracts import RawTable
from vitals.ingest.errors import preview
from vitals.ingest.landing import land_batches
from vitals.ingest.sanitize import distinct_rows_sql, sanitized_select
from vitals.ingest.validation import validate_table
from vitals.warehouse.base import Warehouse

Record = Mapping[str, str | None]
"""One row: contract column -> text (a missing column is NULL)."""


def land_records(
    warehouse: Warehouse,
    reader: duckdb.DuckDBPyConnection,
    raw: RawTable,
    records: Sequence[Record],
    *,
    source: str,
    loaded_at: str,
    allowlist: Sequence[str],
) -> int:
    """Check ``records`` against ``raw``'s contract and land the new ones; return how many were inserted.

    Raises ``LoadError`` naming ``source``, the row's key and the column when a value fails a check."""
    if not records:
        return 0
    staged = f"api_{raw.name}"
    arrow = f"{staged}_arrow"
    batch = pa.table({c: pa.array([_text(r.get(c)) for r in records], pa.string()) for c in raw.column_names})
    reader.register(arrow, batch)
    try:
        reader.execute(
            f"create or replace table {staged} as {sanitized_select(raw, f'select * from {arrow}', allowlist)}"
        )
    finally:
        reader.unregister(arrow)

    def locate(row: int, key: str | None) -> str:
        return f"{source}: {raw.name} {raw.key} {preview(key)}"

    try:
        validate_table(reader, staged, raw, locate, source=source)
        export = reader.execute(distinct_rows_sql(reader, staged, raw, loaded_at))
        return land_batches(warehouse, raw, export.to_arrow_reader(len(records)))
    finally:
        reader.execute(f"drop table if exists {staged}")


def _text(value: object) -> str | None:
    return None if value is None else str(value)
