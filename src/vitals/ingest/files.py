"""Bulk files into the raw tables: find, check the columns, then stream every file in one transaction.

A directory holds up to one file per raw table, named after it: ``events_big.csv``,
``stripe_billing_big.parquet``, ``sentry_errors_big.jsonl`` (formats: see ``file_formats``).
Every file's columns are checked before the warehouse is opened. Then all tables land in a single
warehouse transaction, each file streamed through the value checks, PHI removal and hashing in
bounded memory (into DuckDB: read by the warehouse itself, see ``direct``; elsewhere: in batches
through the reader, see ``landing.land_batches``). A bad value stops the load, the transaction rolls
back, and the file is read once more in full to name its first bad row; a failure leaves the
warehouse as it was. Rows already present (same ``_row_hash``) are skipped, so loading the same
files again inserts nothing. Every row of one load carries that load's ``_loaded_at``, strictly
later than any earlier load's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, RAW_TABLES, ROW_HASH_COLUMN, RawTable
from vitals.ingest.direct import land_file
from vitals.ingest.errors import LoadError
from vitals.ingest.file_formats import (
    FORMAT_SUFFIXES,
    PreparedSource,
    SourceFile,
    check_source_file,
    prepare_source,
)
from vitals.ingest.landing import (
    LoadRecord,
    land_batches,
    new_load_id,
    next_loaded_at,
    not_before,
    record_load,
    transaction,
    utc_now_text,
)
from vitals.ingest.progress import LoadProgress, RowCounter
from vitals.ingest.reader import open_reader, sql_identifier, sql_literal
from vitals.ingest.report import LoadReport, TableLoad
from vitals.ingest.row_count import count_rows, unread_rows_error
from vitals.ingest.validation import guard_sql
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse
from vitals.warehouse.duckdb_engine import DuckDBWarehouse

_NAME = re.compile(r"^(?P<table>[a-z_]+?)(?P<suffix>\.[a-z0-9.]+)$", re.IGNORECASE)


def load_directory(settings: Settings, directory: Path, *, progress: bool = True) -> LoadReport:
    """Land every raw-table file found in ``directory`` (at least one must be there)."""
    return _load(settings, find_source_files(directory), progress=progress)


def load_files(settings: Settings, files: Sequence[Path] | Mapping[str, Path], *, progress: bool = True) -> LoadReport:
    """Land the given files: a list of paths named after their raw table (``events_big.csv``), or a
    mapping raw table name -> path for files named otherwise."""
    if isinstance(files, Mapping):
        sources = [source_file(Path(path), table) for table, path in files.items()]
    else:
        sources = [source_file(Path(path)) for path in files]
    if not sources:
        raise LoadError("no files given")
    _refuse_two_files_for_one_table(sources)
    return _load(settings, sources, progress=progress)


def find_source_files(directory: Path) -> list[SourceFile]:
    """The raw-table files in ``directory``, in contract order.

    Raises ``LoadError`` when there is none, when a raw table has two files, or when a file named
    after a raw table has an unsupported format."""
    if not directory.is_dir():
        raise LoadError(f"{directory}: not a directory", source=str(directory))
    sources: list[SourceFile] = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if path.is_file() and match and match["table"].lower() in RAW_TABLES:
            sources.append(source_file(path))
    if not sources:
        expected = ", ".join(f"{name}.<{'|'.join(s[1:] for s in FORMAT_SUFFIXES)}>" for name in RAW_TABLES)
        raise LoadError(f"{directory}: no source files found; expected one or more of {expected}")
    _refuse_two_files_for_one_table(sources)
    order = list(RAW_TABLES)
    return sorted(sources, key=lambda s: order.index(s.table.name))


def source_file(path: Path, table: str | None = None) -> SourceFile:
    """Describe one file: its raw table (from ``table`` or the file name) and format (from the suffix)."""
    match = _NAME.match(path.name)
    suffix = match["suffix"].lower() if match else ""
    fmt = FORMAT_SUFFIXES.get(suffix) or next(
        (f for s, f in FORMAT_SUFFIXES.items() if path.name.lower().endswith(s)), None
    )
    if fmt is None:
        raise LoadError(f"{path}: unsupported file format; use one of {', '.join(FORMAT_SUFFIXES)}", source=str(path))
    name = (table or (match["table"] if match else "")).lower()
    if name not in RAW_TABLES:
        raise LoadError(
            f"{path}: which raw table is this? Name the file after one of {', '.join(RAW_TABLES)} "
            "(or pass a table -> path mapping)",
            source=str(path),
        )
    if not path.is_file():
        raise LoadError(f"{path}: no such file", source=str(path))
    return SourceFile(table=RAW_TABLES[name], path=path, format=fmt)


def _refuse_two_files_for_one_table(sources: Sequence[SourceFile]) -> None:
    seen: dict[str, Path] = {}
    for source in sources:
        other = seen.setdefault(source.table.name, source.path)
        if other != source.path:
            raise LoadError(
                f"two files for raw table {source.table.name}: {other} and {source.path}; keep one",
                source=str(source.path),
            )


def _load(settings: Settings, sources: Sequence[SourceFile], *, progress: bool) -> LoadReport:
    report = LoadReport(load_id=new_load_id())
    reader = open_reader(settings)
    try:
        with LoadProgress(progress) as bar:
            prepared: list[PreparedSource] = []
            expected: list[int] = []
            for source in sources:
                done = bar.step(f"checking the columns and counting the rows of {source.path.name}")
                expected.append(count_rows(source))  # from the bytes, refusing a row too big for the reader
                prepared.append(prepare_source(reader, source, settings.property_allowlist, _records(source.table)))
                done()
                report.tables.append(TableLoad(table=source.table.name, source=str(source.path)))
            with open_warehouse(settings) as warehouse, _load_session(warehouse, settings.ingest.memory_limit):
                warehouse.ensure_raw_tables()
                _land_all(warehouse, reader, prepared, expected, report, settings.ingest.batch_rows, bar)
    finally:
        reader.close()
    return report


@contextmanager
def _load_session(warehouse: Warehouse, memory_limit: str) -> Iterator[None]:
    """On DuckDB, the load's memory cap (what does not fit spills to ``<warehouse>.tmp``) and progress
    tracking for this connection; the database's previous memory limit is restored afterwards, since
    ``vitals serve`` shares its database with the load."""
    if not isinstance(warehouse, DuckDBWarehouse):
        yield
        return
    found = warehouse.query("select current_setting('memory_limit')")
    warehouse.execute(f"set memory_limit = {sql_literal(memory_limit)}")
    # DuckDB tracks a statement's progress only with its bar on; vitals shows it, DuckDB does not print it
    warehouse.execute("set session enable_progress_bar = true")
    warehouse.execute("set session enable_progress_bar_print = false")
    try:
        yield
    finally:
        if found and found[0][0]:  # as DuckDB shows it, to 0.1 of its unit
            with suppress(duckdb.Error):
                warehouse.execute(f"set memory_limit = {sql_literal(str(found[0][0]))}")


class _LandingFailed(Exception):
    """Landing one file failed; the transaction was rolled back."""

    def __init__(self, prepared: PreparedSource, error: Exception) -> None:
        super().__init__(str(error))
        self.prepared = prepared
        self.error = error


def _land_all(
    warehouse: Warehouse,
    reader: duckdb.DuckDBPyConnection,
    prepared: Sequence[PreparedSource],
    expected: Sequence[int],
    report: LoadReport,
    batch_rows: int,
    bar: LoadProgress,
) -> None:
    """Land every prepared file in one warehouse transaction, record the loads, and explain a failure.

    ``expected`` are the files' rows counted from their bytes: a file whose reader read another number
    is refused (a row the reader skipped without a word must not vanish)."""
    try:
        with transaction(warehouse):
            for item in prepared:
                warehouse.lock_for_writes(RAW_SCHEMA, item.source.table.name)
            loaded_at = next_loaded_at(warehouse)  # one per load, strictly after every earlier load's
            for item, entry, rows in zip(prepared, report.tables, expected, strict=True):
                started_at, started = utc_now_text(), time.perf_counter()
                counter = bar.rows(f"landing {item.source.table.name}", None)
                try:
                    if isinstance(warehouse, DuckDBWarehouse) and not item.in_reader:
                        landed = land_file(warehouse, item, loaded_at, on_progress=counter.update)
                        entry.rows_read, entry.rows_inserted = landed.rows_read, landed.rows_inserted
                    else:
                        entry.rows_read, entry.rows_inserted = _land_streamed(
                            warehouse, reader, item, loaded_at, batch_rows, counter
                        )
                    if entry.rows_read != rows:
                        raise unread_rows_error(item.source, rows, entry.rows_read)
                except Exception as exc:
                    raise _LandingFailed(item, exc) from exc
                counter.complete()
                entry.seconds = time.perf_counter() - started
                record_load(
                    warehouse,
                    LoadRecord(
                        load_id=report.load_id,
                        source=entry.source,
                        table_name=entry.table,
                        rows_read=entry.rows_read,
                        rows_inserted=entry.rows_inserted,
                        started_at=started_at,
                        finished_at=not_before(loaded_at),
                    ),
                )
    except _LandingFailed as failed:
        # a file DuckDB read itself is read again there, so the process keeps one DuckDB memory budget
        direct = isinstance(warehouse, DuckDBWarehouse) and not failed.prepared.in_reader
        con = warehouse.con if direct and isinstance(warehouse, DuckDBWarehouse) else reader
        raise _explain(con, failed.prepared, failed.error, bar) from failed.error
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"loading failed; nothing was written: {exc}") from exc


def _land_streamed(
    warehouse: Warehouse,
    reader: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    loaded_at: str,
    batch_rows: int,
    counter: RowCounter,
) -> tuple[int, int]:
    """Stream the file's checked rows from the reader to the warehouse in batches of ``batch_rows``;
    return (rows read, rows inserted)."""
    raw = prepared.source.table
    columns = ", ".join(sql_identifier(c) for c in [*raw.column_names, ROW_HASH_COLUMN])
    select = (
        f"select {columns}, {sql_literal(loaded_at)} as {LOADED_AT_COLUMN} "
        f"from ({prepared.landed_sql}) as s where {guard_sql(raw)}"
    )
    read = 0

    def moved(rows: int) -> None:
        nonlocal read
        read += rows
        counter(rows)

    batches = reader.execute(select).to_arrow_reader(batch_rows)
    inserted = land_batches(warehouse, raw, batches, on_rows=moved)
    return read, inserted


def _explain(
    con: duckdb.DuckDBPyConnection, prepared: PreparedSource, error: Exception, bar: LoadProgress
) -> LoadError:
    """Why landing ``prepared`` failed: the file's first bad row or reading error, found by reading it
    whole (the fast path stops at whichever bad row it meets first), else the warehouse's refusal."""
    if isinstance(error, LoadError):
        return error
    source = prepared.source
    done = bar.step(f"finding the first bad row of {source.path.name}")
    try:
        check_source_file(con, prepared, _check_table(source.table))
    except LoadError as found:
        return found
    finally:
        done()
    return LoadError(
        f"landing {source.path} into raw.{source.table.name} failed; nothing was written: {error}",
        source=str(source.path),
    )


def _records(raw: RawTable) -> str:
    return f"src_{raw.name}_records"


def _check_table(raw: RawTable) -> str:
    return f"src_{raw.name}"
