"""Engine cursors the API reads through: rows with their column names, and record batches fetched in
chunks so an export never holds the whole result in memory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from vitals.warehouse.base import Warehouse, WarehouseError


def record_batches(warehouse: Warehouse, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The result as record batches of at most ``batch_rows`` rows. DuckDB: its streaming record-batch
    reader; PostgreSQL: a server-side (named) cursor read ``batch_rows`` at a time."""
    if warehouse.engine == "duckdb":
        cur = warehouse.con.cursor()  # type: ignore[attr-defined]
        reader = cur.execute(sql, list(params)).to_arrow_reader(batch_rows)
        return _duckdb_batches(cur, reader)
    if warehouse.engine == "postgres":
        return _postgres_batches(warehouse, sql, params, batch_rows)
    raise WarehouseError(f"the API does not serve the {warehouse.engine} engine; use duckdb or postgres")


def _duckdb_batches(cur: Any, reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    try:
        sent = False
        for batch in reader:
            if batch.num_rows:
                sent = True
                yield batch
        if not sent:
            yield pa.RecordBatch.from_pylist([], schema=reader.schema)
    finally:
        cur.close()


_PG_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}
"""PostgreSQL type OIDs -> Arrow types (numeric as float64; anything else as text)."""


def _postgres_batches(warehouse: Warehouse, sql: str, params: Sequence[Any], size: int) -> Iterator[pa.RecordBatch]:
    con = warehouse.con  # type: ignore[attr-defined]
    with con.transaction(), con.cursor(name=f"vitals_export_{uuid.uuid4().hex[:8]}") as cur:
        cur.itersize = size
        cur.execute(sql.replace("?", "%s"), list(params))
        schema: pa.Schema | None = None
        sent = False
        while True:
            rows = cur.fetchmany(size)
            if schema is None:
                schema = pa.schema([(d.name, _PG_TYPES.get(d.type_code, pa.string())) for d in cur.description or []])
            if not rows:
                if not sent:
                    yield pa.RecordBatch.from_pylist([], schema=schema)
                return
            sent = True
            columns = [_column([r[i] for r in rows], f.type) for i, f in enumerate(schema)]
            yield pa.RecordBatch.from_arrays(columns, schema=schema)


def _column(values: list[Any], kind: pa.DataType) -> pa.Array:
    if pa.types.is_floating(kind):
        values = [None if v is None else float(v) for v in values]
    elif pa.types.is_string(kind):
        values = [None if v is None else str(v) for v in values]
    return pa.array(values, type=kind)
