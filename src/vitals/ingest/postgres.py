"""Incremental pull of the app's ``events_big`` from its PostgreSQL database.

Each run reads the rows whose cursor column (``_ingest_ts`` by default, or ``inserted_at``) is at
or after the saved cursor minus ``ingest.overlap_minutes``, in cursor order, through a server-side
cursor in batches of ``ingest.batch_rows``. Every batch is converted to the raw text form (on the
server: timestamps as UTC ISO text, jsonb/uuid as text), checked, sanitized and landed in its own
warehouse transaction together with the advanced cursor, so a crash loses nothing and repeats
nothing: rows re-read by the overlap are skipped by their row hash. The first run, with no saved
cursor, pulls everything. The cursor is stored in ``raw._cursors`` under a source key naming
host, port, database and table, never the user or password.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import psycopg
import pyarrow as pa
from psycopg import sql

from vitals.config import Settings
from vitals.contracts import RAW_TABLES, RawTable
from vitals.ingest.errors import LoadError, preview
from vitals.ingest.landing import (
    LoadRecord,
    land_batches,
    new_load_id,
    next_loaded_at,
    not_before,
    record_load,
    save_cursor,
    saved_cursor,
    transaction,
    utc_now_text,
)
from vitals.ingest.progress import LoadProgress, RowCounter
from vitals.ingest.reader import open_reader
from vitals.ingest.report import LoadReport, TableLoad
from vitals.ingest.sanitize import distinct_rows_sql, sanitized_select
from vitals.ingest.validation import validate_table
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

ISO_UTC_PG = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
"""PostgreSQL to_char format of the raw timestamp text (same as the files' ``ISO_UTC_FORMAT``)."""

_TIMESTAMPTZ = "timestamptz"
_TIMESTAMP = "timestamp"
_TEXT_TYPES = ("text", "varchar", "bpchar", "name")
_BATCH = "pg_batch"
_BATCH_ARROW = "pg_batch_arrow"
_CURSOR_ALIAS = "__vitals_cursor"


@dataclass(frozen=True)
class SourceTable:
    """The app's table as found in its database."""

    name: str
    """As given (``events_big`` or ``schema.events_big``)."""
    column_types: dict[str, str]
    """Column name -> PostgreSQL type name (``pg_type.typname``), in table order."""


def ingest_postgres(
    settings: Settings,
    dsn: str,
    *,
    table: str = "events_big",
    cursor_column: str = "_ingest_ts",
    progress: bool = True,
    into: str = "events_big",
) -> LoadReport:
    """Pull the rows of ``table`` new since the saved cursor (with the overlap) into ``raw.<into>``."""
    if into not in RAW_TABLES:
        raise LoadError(f"unknown raw table {into!r}; one of {', '.join(RAW_TABLES)}")
    raw = RAW_TABLES[into]
    source = source_key(dsn, table)
    password = psycopg.conninfo.conninfo_to_dict(dsn).get("password")
    report = LoadReport(load_id=new_load_id())
    entry = TableLoad(table=raw.name, source=source)
    report.tables.append(entry)
    started = time.perf_counter()
    try:
        with _connect_source(dsn, source) as app, open_warehouse(settings) as warehouse:
            found = describe_source(app, table, source)
            query = _PullQuery(raw, found, cursor_column, source)
            entry.notes.extend(query.notes)
            warehouse.ensure_raw_tables()
            previous = saved_cursor(warehouse, source, cursor_column)
            reader = open_reader(settings)
            try:
                with LoadProgress(progress) as bar:
                    total = query.count(app, previous, settings.ingest.overlap_minutes) if progress else None
                    counter = bar.rows(f"pulling {table}", total)
                    latest = _pull(app, warehouse, reader, query, settings, report.load_id, previous, entry, counter)
                    counter.complete()
            finally:
                reader.close()
    except (psycopg.Error, duckdb.Error) as exc:
        raise LoadError(_scrub(f"ingesting {source} failed: {exc}", password), source=source) from exc
    entry.seconds = time.perf_counter() - started
    shown = "(none)" if previous is None else previous
    entry.notes.append(
        f"cursor {cursor_column}: {shown} -> {latest or shown} (overlap {settings.ingest.overlap_minutes} min)"
    )
    return report


def source_key(dsn: str, table: str) -> str:
    """The source's name in state and reports: ``postgres://host:port/database/table``, no credentials."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise LoadError("the source DSN cannot be parsed (check its syntax)") from exc
    host = info.get("host") or info.get("hostaddr") or "localhost"
    port = info.get("port") or "5432"
    database = info.get("dbname") or info.get("user") or ""
    return f"postgres://{host}:{port}/{database}/{table}"


def describe_source(app: psycopg.Connection, table: str, source: str) -> SourceTable:
    """The columns and types of the source table; ``LoadError`` when it does not exist."""
    ident = sql.Identifier(*table.split(".", 1)).as_string(app)
    rows = app.execute(
        "select a.attname, t.typname from pg_attribute a join pg_type t on t.oid = a.atttypid "
        "where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped order by a.attnum",
        [ident],
    ).fetchall()
    if not rows:
        raise LoadError(f"{source}: table {table} not found (or it has no columns)", source=source)
    return SourceTable(name=table, column_types={str(name): str(kind) for name, kind in rows})


class _PullQuery:
    """The SQL that pulls the contract's columns as raw text, filtered and ordered by the cursor."""

    def __init__(self, raw: RawTable, found: SourceTable, cursor_column: str, source: str) -> None:
        types = found.column_types
        missing = [c for c in raw.column_names if c not in types]
        if missing:
            raise LoadError(
                f"{source}: missing column(s) {', '.join(missing)} of the {raw.name} contract", source=source
            )
        if cursor_column not in types:
            raise LoadError(f"{source}: no cursor column {cursor_column!r}", source=source, column=cursor_column)
        self.raw = raw
        self.table = sql.Identifier(*found.name.split(".", 1))
        self.cursor_column = cursor_column
        self.cursor_type = types[cursor_column]
        self.cursor = sql.Identifier(cursor_column)
        if self.cursor_type not in (_TIMESTAMPTZ, _TIMESTAMP, *_TEXT_TYPES):
            raise LoadError(
                f"{source}: cursor column {cursor_column} is {self.cursor_type}; it must be a timestamp "
                "(timestamptz, timestamp) or text holding timestamps",
                source=source,
                column=cursor_column,
            )
        self.columns = [_text_of(c, types[c]) for c in raw.column_names]
        extra = [c for c in types if c not in raw.column_names]
        self.notes = [f"source columns not in the contract, not loaded: {', '.join(extra)}"] if extra else []

    def _cursor_value(self) -> sql.Composable:
        """The cursor column as timestamptz (text: parsed; timestamp without zone: taken as UTC)."""
        if self.cursor_type == _TIMESTAMPTZ:
            return self.cursor
        if self.cursor_type == _TIMESTAMP:
            return sql.SQL("({} at time zone 'UTC')").format(self.cursor)
        return sql.SQL("nullif(trim({}), '')::timestamptz").format(self.cursor)

    def _where(self, previous: str | None, overlap_minutes: int) -> tuple[sql.Composable, list[object]]:
        if previous is None:
            return sql.SQL(""), []
        bound = sql.SQL("%s::timestamptz - make_interval(mins => %s)")
        if self.cursor_type == _TIMESTAMP:  # compare naive to naive so an index on the column is used
            condition = sql.SQL("where {} >= ({}) at time zone 'UTC'").format(self.cursor, bound)
        else:
            condition = sql.SQL("where {} >= {}").format(self._cursor_value(), bound)
        return condition, [previous, overlap_minutes]

    def select(self, previous: str | None, overlap_minutes: int) -> tuple[sql.Composed, list[object]]:
        """The pull: contract columns as text plus the cursor as ISO UTC text, in cursor order."""
        where, params = self._where(previous, overlap_minutes)
        cursor_text = sql.SQL("to_char({} at time zone 'UTC', {})").format(
            self._cursor_value(), sql.Literal(ISO_UTC_PG)
        )
        order = self.cursor if self.cursor_type in (_TIMESTAMPTZ, _TIMESTAMP) else self._cursor_value()
        query = sql.SQL("select {}, {} as {} from {} {} order by {} nulls last").format(
            sql.SQL(", ").join(self.columns),
            cursor_text,
            sql.Identifier(_CURSOR_ALIAS),
            self.table,
            where,
            order,
        )
        return query, params

    def count(self, app: psycopg.Connection, previous: str | None, overlap_minutes: int) -> int:
        """How many rows the pull will read (for the progress bar)."""
        where, params = self._where(previous, overlap_minutes)
        found = app.execute(sql.SQL("select count(*) from {} {}").format(self.table, where), params).fetchone()
        return int(found[0]) if found else 0


def _text_of(column: str, pg_type: str) -> sql.Composable:
    """SQL rendering one source column in the raw text form, named after the contract column."""
    ident = sql.Identifier(column)
    if pg_type == _TIMESTAMPTZ:
        value: sql.Composable = sql.SQL("to_char({} at time zone 'UTC', {})").format(ident, sql.Literal(ISO_UTC_PG))
    elif pg_type == _TIMESTAMP:
        value = sql.SQL("to_char({}, {})").format(ident, sql.Literal(ISO_UTC_PG))
    elif pg_type == "date":
        value = sql.SQL("to_char({}, 'YYYY-MM-DD')").format(ident)
    else:
        value = sql.SQL("{}::text").format(ident)
    return sql.SQL("{} as {}").format(value, ident)


def _connect_source(dsn: str, source: str) -> psycopg.Connection:
    """A read connection to the app's database, in UTC."""
    try:
        app = psycopg.connect(dsn, connect_timeout=10)
    except psycopg.OperationalError as exc:
        password = psycopg.conninfo.conninfo_to_dict(dsn).get("password")
        raise LoadError(_scrub(f"{source}: cannot connect: {exc}", password), source=source) from exc
    app.read_only = True
    app.execute("set time zone 'UTC'")
    return app


def _fetch_batches(
    app: psycopg.Connection, query: sql.Composed, params: list[object], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The pull's rows, ``size`` at a time, through a server-side cursor."""
    with app.cursor(name=f"vitals_pull_{uuid.uuid4().hex[:8]}") as cur:
        cur.itersize = size
        cur.execute(query, params)
        while rows := cur.fetchmany(size):
            yield rows


def _pull(
    app: psycopg.Connection,
    warehouse: Warehouse,
    reader: duckdb.DuckDBPyConnection,
    query: _PullQuery,
    settings: Settings,
    load_id: str,
    previous: str | None,
    entry: TableLoad,
    counter: RowCounter,
) -> str | None:
    """Land every batch of the pull, each in one transaction with the cursor; return the new cursor."""
    raw = query.raw
    names = raw.column_names
    latest = previous
    loaded_at = next_loaded_at(warehouse)  # strictly after every earlier load's
    statement, params = query.select(previous, settings.ingest.overlap_minutes)
    for rows in _fetch_batches(app, statement, params, settings.ingest.batch_rows):
        started_at = utc_now_text()
        columns = list(zip(*rows, strict=True))
        batch = pa.table({name: pa.array(columns[i], pa.string()) for i, name in enumerate(names)})
        cursors = [v for v in columns[len(names)] if v is not None]
        read = _prepare_batch(reader, batch, raw, settings, entry.source)
        export = reader.execute(distinct_rows_sql(reader, _BATCH, raw, loaded_at))
        with transaction(warehouse):
            inserted = land_batches(warehouse, raw, export.to_arrow_reader(settings.ingest.batch_rows))
            if cursors and (latest is None or max(cursors) > latest):
                latest = max(cursors)
                save_cursor(warehouse, entry.source, query.cursor_column, latest)
            record_load(
                warehouse,
                LoadRecord(
                    load_id=load_id,
                    source=entry.source,
                    table_name=raw.name,
                    rows_read=read,
                    rows_inserted=inserted,
                    started_at=started_at,
                    finished_at=not_before(loaded_at),
                ),
            )
        entry.rows_read += read
        entry.rows_inserted += inserted
        counter(read)
    if entry.rows_read == 0:
        now = utc_now_text()
        with transaction(warehouse):
            record_load(warehouse, LoadRecord(load_id, entry.source, raw.name, 0, 0, now, now))
    return latest


def _prepare_batch(
    reader: duckdb.DuckDBPyConnection, batch: pa.Table, raw: RawTable, settings: Settings, source: str
) -> int:
    """Sanitize, hash and check one pulled batch into the reader table ``pg_batch``; return its rows."""
    reader.register(_BATCH_ARROW, batch)
    try:
        select = sanitized_select(raw, f"select * from {_BATCH_ARROW}", settings.property_allowlist)
        reader.execute(f"create or replace table {_BATCH} as {select}")
    finally:
        reader.unregister(_BATCH_ARROW)

    def locate(row: int, key: str | None) -> str:
        return f"{source}: {raw.key} {preview(key)}"

    validate_table(reader, _BATCH, raw, locate, source=source)
    return batch.num_rows


def _scrub(message: str, password: object) -> str:
    """``message`` with the password, should a driver message ever contain it, masked."""
    return message.replace(str(password), "***") if password else message
