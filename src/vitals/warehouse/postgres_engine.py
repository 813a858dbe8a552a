"""PostgreSQL warehouse: the same models through dbt-postgres."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from vitals.contracts import RAW_SCHEMA, RAW_TABLES, ROW_HASH_COLUMN
from vitals.warehouse.base import Warehouse, WarehouseError

COPY_CHUNK_ROWS = 50_000
"""Rows per COPY write when appending Arrow data."""


class PostgresWarehouse(Warehouse):
    """A connection to a PostgreSQL warehouse database (session time zone UTC)."""

    engine = "postgres"

    def __init__(self, dsn: str, core_schema: str = "analytics") -> None:
        self.dsn = dsn
        self.core_schema = core_schema
        try:
            self.con = psycopg.connect(dsn, autocommit=True, options="-c timezone=UTC")
        except psycopg.OperationalError as exc:
            raise WarehouseError(f"cannot connect to PostgreSQL ({redact_dsn(dsn)}): {exc}".strip()) from exc
        self.con.execute(f"set search_path = {core_schema}, staging, intermediate, raw, public")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql.replace("?", "%s") if params else sql, params)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        cur = self.con.execute(sql.replace("?", "%s") if params else sql, params)
        return cur.fetchall() if cur.description else []

    def query_arrow(self, sql: str) -> pa.Table:
        cur = self.con.execute(sql)
        names = [d.name for d in cur.description or []]
        rows = cur.fetchall()
        return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})

    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        """Append with COPY: as CSV written by Arrow (fast) when every column is a flat scalar type,
        else row by row."""
        cols = ", ".join(data.column_names)
        if all(_csv_writable(field.type) for field in data.schema):
            options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
            sql = f"copy {schema}.{table} ({cols}) from stdin (format csv)"
            with self.con.cursor() as cur, cur.copy(sql) as copy:
                for batch in data.to_batches(max_chunksize=COPY_CHUNK_ROWS):
                    buffer = io.BytesIO()
                    pa_csv.write_csv(batch, buffer, options)
                    copy.write(buffer.getvalue())
            return
        with self.con.cursor() as cur, cur.copy(f"copy {schema}.{table} ({cols}) from stdin") as copy:
            for batch in data.to_batches(max_chunksize=COPY_CHUNK_ROWS):
                for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                    copy.write_row(row)

    def insert_counting(self, schema: str, table: str, sql: str, params: Sequence[Any] | None = None) -> int:
        cur = self.con.execute(sql.replace("?", "%s") if params else sql, params)
        return max(cur.rowcount, 0)

    def lock_for_writes(self, schema: str, table: str) -> None:
        """``share row exclusive``: concurrent loads of the same table queue up; readers go on."""
        self.execute(f"lock table {schema}.{table} in share row exclusive mode")

    def ensure_raw_tables(self) -> None:
        """The raw tables plus an index on ``_row_hash`` each, which the idempotent insert probes."""
        super().ensure_raw_tables()
        for raw in RAW_TABLES.values():
            self.execute(
                f"create index if not exists {raw.name}{ROW_HASH_COLUMN}_idx "
                f"on {RAW_SCHEMA}.{raw.name} ({ROW_HASH_COLUMN})"
            )

    def create_scratch_table(self, table: str, columns: Sequence[tuple[str, str]]) -> str:
        """A temporary table (schema ``pg_temp``): private to this connection, never logged."""
        self.execute(f"create temp table {table} ({self._column_definitions(columns)})")
        return "pg_temp"

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
            [schema, table],
        )
        return bool(rows)

    def begin(self) -> None:
        self.con.autocommit = False

    def commit(self) -> None:
        self.con.commit()
        self.con.autocommit = True

    def rollback(self) -> None:
        self.con.rollback()
        self.con.autocommit = True

    def close(self) -> None:
        self.con.close()


def _csv_writable(kind: pa.DataType) -> bool:
    """Whether Arrow's CSV writer renders this type as text PostgreSQL reads back unchanged."""
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_null(kind)
    )


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparsable dsn>"
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())
