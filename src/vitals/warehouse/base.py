"""The interface every warehouse engine implements, and the errors it raises."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from vitals.contracts import (
    LOADED_AT_COLUMN,
    RAW_SCHEMA,
    RAW_TABLES,
    ROW_HASH_COLUMN,
    STATE_TABLES,
)
from vitals.errors import VitalsError


class WarehouseError(VitalsError):
    """The warehouse could not do what was asked; the message says what and where."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB warehouse file for writing."""


class Warehouse(ABC):
    """A connection to the warehouse. Use as a context manager; not shared across threads."""

    engine: str
    core_schema: str
    """Schema (Spark: database) holding the core model, marts and metrics."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement that returns nothing."""

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all rows as tuples."""

    @abstractmethod
    def query_arrow(self, sql: str) -> pa.Table:
        """Run a query and return an Arrow table (column names and types preserved)."""

    @abstractmethod
    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        """Append rows to an existing table; ``data``'s columns are matched by name."""

    @abstractmethod
    def table_exists(self, schema: str, table: str) -> bool:
        """Whether ``schema.table`` exists (table or view)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (and, for DuckDB, the file lock)."""

    def begin(self) -> None:
        """Start a transaction (a no-op where the engine has none)."""
        self.execute("begin")

    def commit(self) -> None:
        """Commit the open transaction."""
        self.execute("commit")

    def rollback(self) -> None:
        """Roll the open transaction back."""
        self.execute("rollback")

    def text_type(self) -> str:
        """The SQL type name for unbounded text."""
        return "text"

    def ensure_raw_tables(self) -> None:
        """Create the raw schema, the raw contract tables (all columns text) and the load-state
        tables (``raw._loads``, ``raw._cursors``) if missing."""
        self.execute(f"create schema if not exists {RAW_SCHEMA}")
        for raw in RAW_TABLES.values():
            columns = [*raw.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
            self.create_table(RAW_SCHEMA, raw.name, [(name, "text") for name in columns])
        for state in STATE_TABLES:
            self.create_table(RAW_SCHEMA, state.name, state.columns)

    def create_table(self, schema: str, table: str, columns: Sequence[tuple[str, str]]) -> None:
        """Create ``schema.table`` unless it exists; ``columns`` are (name, type) pairs, where the
        type ``text`` becomes the engine's text type and other names are used as given."""
        body = self._column_definitions(columns)
        self.execute(f"create table if not exists {schema}.{table} ({body}){self._table_suffix()}")

    def create_scratch_table(self, table: str, columns: Sequence[tuple[str, str]]) -> str:
        """Create a work table for one load (columns as in ``create_table``) and return its schema.

        A regular table in the raw schema here; engines with session-private temporary tables use
        those (no write-ahead log, gone with the session). Drop it with ``drop_table``."""
        self.create_table(RAW_SCHEMA, table, columns)
        return RAW_SCHEMA

    def _column_definitions(self, columns: Sequence[tuple[str, str]]) -> str:
        text = self.text_type()
        return ", ".join(f"{name} {text if kind == 'text' else kind}" for name, kind in columns)

    def drop_table(self, schema: str, table: str) -> None:
        """Drop ``schema.table`` if it exists."""
        self.execute(f"drop table if exists {schema}.{table}")

    def insert_counting(self, schema: str, table: str, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run ``sql``, an insert into ``schema.table``, and return how many rows it added.

        Counts the table before and after; engines that report affected rows override this."""
        count = f"select count(*) from {schema}.{table}"
        before = int(self.query(count)[0][0])
        self.execute(sql, params)
        return int(self.query(count)[0][0]) - before

    def lock_for_writes(self, schema: str, table: str) -> None:
        """Keep other writers of ``schema.table`` out until the open transaction ends (readers are
        not blocked). A no-op on engines with a single writer or without transactions."""
        return None

    def _table_suffix(self) -> str:
        return ""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
