"""Bulk files into the raw tables: find, read, validate, sanitize, then land in one transaction.

A directory holds up to one file per raw table, named after it: ``events_big.csv``,
``stripe_billing_big.parquet``, ``sentry_errors_big.jsonl`` (formats: see ``file_formats``).
Every file is read and checked before anything is written; then all tables land in a single
warehouse transaction, so a failure leaves the warehouse as it was. Rows already present (same
``_row_hash``) are skipped, so loading the same files again inserts nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from vitals.config import Settings
from vitals.ingest.contracts import RAW_TABLES, RawTable
from vitals.ingest.errors import LoadError
from vitals.ingest.file_formats import FORMAT_SUFFIXES, SourceFile
from vitals.ingest.landing import (
    LoadRecord,
    land_batches,
    new_load_id,
    record_load,
    transaction,
    utc_now_text,
)
from vitals.ingest.progress import LoadProgress
from vitals.ingest.reader import open_reader, sql_literal
from vitals.ingest.report import LoadReport, TableLoad
from vitals.ingest.row_count import read_counted
from vitals.ingest.sanitize import distinct_rows_sql
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

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
    loaded_at = utc_now_text()
    reader = open_reader(settings)
    try:
        with LoadProgress(progress) as bar:
            for source in sources:
                started = time.perf_counter()
                done = bar.step(f"reading and checking {source.path.name}")
                rows = read_counted(reader, source, settings.property_allowlist, _reader_table(source.table))
                done()
                report.tables.append(
                    TableLoad(
                        table=source.table.name,
                        source=str(source.path),
                        rows_read=rows,
                        seconds=time.perf_counter() - started,
                    )
                )
            with open_warehouse(settings) as warehouse:
                if warehouse.engine == "duckdb":  # the load's scratch table spills instead of growing
                    warehouse.execute(f"set memory_limit = {sql_literal(settings.ingest.memory_limit)}")
                warehouse.ensure_raw_tables()
                _land_all(warehouse, reader, sources, report, loaded_at, settings.ingest.batch_rows, bar)
    finally:
        reader.close()
    return report


def _land_all(
    warehouse: Warehouse,
    reader: duckdb.DuckDBPyConnection,
    sources: Sequence[SourceFile],
    report: LoadReport,
    loaded_at: str,
    batch_rows: int,
    bar: LoadProgress,
) -> None:
    """Land every prepared reader table in one warehouse transaction and record the loads."""
    current = sources[0]
    try:
        with transaction(warehouse):
            for source, entry in zip(sources, report.tables, strict=True):
                current = source
                started_at, started = utc_now_text(), time.perf_counter()
                export = distinct_rows_sql(reader, _reader_table(source.table), source.table, loaded_at)
                advance = bar.rows(f"landing {source.table.name}", entry.rows_read)
                entry.rows_inserted = land_batches(
                    warehouse, source.table, reader.execute(export).to_arrow_reader(batch_rows), on_rows=advance
                )
                advance.complete()
                entry.seconds += time.perf_counter() - started
                record_load(
                    warehouse,
                    LoadRecord(
                        load_id=report.load_id,
                        source=entry.source,
                        table_name=entry.table,
                        rows_read=entry.rows_read,
                        rows_inserted=entry.rows_inserted,
                        started_at=started_at,
                        finished_at=utc_now_text(),
                    ),
                )
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(
            f"landing {current.path} into raw.{current.table.name} failed; nothing was written: {exc}",
            source=str(current.path),
        ) from exc


def _reader_table(raw: RawTable) -> str:
    return f"src_{raw.name}"
