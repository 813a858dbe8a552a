"""Read one bulk file (CSV, Parquet, JSON Lines) into a reader table: checked, sanitized, hashed.

Each format yields the contract's columns as text, in file order:

- CSV (also ``.csv.gz``): every field read as text; an empty field is NULL, a quoted empty
  field (``""``) is the empty string.
- Parquet: typed columns are rendered as text (see ``text_form``).
- JSON Lines (``.jsonl``, ``.ndjson``, optionally ``.gz``): one object per line; strings as they
  are, numbers and booleans as their JSON text, nested objects and arrays as JSON text.

The header (or the keys of the objects) must name exactly the contract's columns, in any order
and letter case. ``prepare_source`` checks that and writes the queries that stream the file's
sanitized, hashed rows; ``check_source_file`` reads a whole file to name its first bad row.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from vitals.contracts import RawTable
from vitals.ingest.errors import LoadError
from vitals.ingest.reader import sql_identifier, sql_literal
from vitals.ingest.sanitize import sanitized_select
from vitals.ingest.text_form import text_expression
from vitals.ingest.validation import validate_table

FORMAT_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson": "jsonl",
    ".ndjson.gz": "jsonl",
}
"""File name suffix -> format."""

CSV_DELIMITERS = (",", ";", "\t", "|")
"""Delimiters a CSV file may use (read from its header line)."""

ROW_HINTS: dict[str, str] = {
    "csv": " (row N is the Nth data row; the header line is not counted)",
    "jsonl": " (row N is the Nth JSON record; blank lines are not counted)",
    "parquet": "",
}


@dataclass(frozen=True)
class SourceFile:
    """A file to land into one raw table."""

    table: RawTable
    path: Path
    format: str


@dataclass(frozen=True)
class PreparedSource:
    """A source file whose columns were matched to its contract, ready to be streamed."""

    source: SourceFile
    rows_sql: str
    """The file's rows as the contract's text columns, in file order (nothing sanitized yet)."""
    landed_sql: str
    """``rows_sql`` with PHI dropped and ``_row_hash`` added (see ``sanitize.sanitized_select``)."""
    in_reader: bool
    """True when the queries read a table of the reader connection (JSON Lines), so only that
    connection can run them; CSV and Parquet are read straight from the file by any DuckDB."""


def prepare_source(
    con: duckdb.DuckDBPyConnection, source: SourceFile, allowlist: Sequence[str], records: str
) -> PreparedSource:
    """Match the file's columns to its contract and write the queries that read it; nothing is read in
    bulk but JSON Lines, whose records land in reader table ``records`` to find their keys.

    Raises ``LoadError`` when the file cannot be read or its columns are not the contract's."""
    path = source.path
    try:
        if source.format == "csv":
            rows_sql = _csv_select(con, source)
        elif source.format == "parquet":
            rows_sql = _parquet_select(con, source)
        else:
            rows_sql = _jsonl_select(con, source, records=records)
    except duckdb.Error as exc:
        con.execute(f"drop table if exists {records}")
        raise LoadError(f"{path}: cannot be read as {source.format}: {_engine_message(exc)}", source=str(path)) from exc
    return PreparedSource(
        source=source,
        rows_sql=rows_sql,
        landed_sql=sanitized_select(source.table, rows_sql, allowlist),
        in_reader=source.format == "jsonl",
    )


def read_error(source: SourceFile, error: duckdb.Error) -> LoadError:
    """The ``LoadError`` of a DuckDB error met while reading ``source`` (its text never echoes the
    offending line)."""
    return LoadError(
        f"{source.path}: cannot be read as {source.format}: {_engine_message(error)}", source=str(source.path)
    )


def check_source_file(con: duckdb.DuckDBPyConnection, prepared: PreparedSource, into: str) -> int:
    """Read the whole file into temporary table ``into`` of ``con`` (the reader, or a DuckDB warehouse
    for files it can read itself: never written to its file, spilling to disk past the memory limit),
    check every row, drop the table and return the row count.

    The thorough, slower pass: it names the first offending row in file order. Raises ``LoadError``
    when the file cannot be read or a value fails validation."""
    source = prepared.source
    path = source.path
    con.execute("set preserve_insertion_order = true")  # rowid is the row's place in the file
    try:
        con.execute(f"create temp table {into} as {prepared.landed_sql}")
    except duckdb.Error as exc:
        raise read_error(source, exc) from exc

    def locate(row: int, key: str | None) -> str:
        return f"{path}:row {row}"

    try:
        validate_table(con, into, source.table, locate, source=str(path), hint=ROW_HINTS[source.format])
        found = con.execute(f"select count(*) from {into}").fetchone()
    finally:
        con.execute(f"drop table if exists temp.{into}")
    return int(found[0]) if found else 0


def match_columns(source: SourceFile, names: Sequence[str]) -> dict[str, str]:
    """Contract column -> the file's column name (matched ignoring case and surrounding blanks).

    Raises ``LoadError`` naming the file and every missing and unexpected column."""
    by_key: dict[str, str] = {}
    duplicates: list[str] = []
    for name in names:
        key = name.strip().lower()
        if key in by_key:
            duplicates.append(name)
        by_key[key] = name
    wanted = source.table.column_names
    missing = [c for c in wanted if c not in by_key]
    extra = [by_key[k] for k in by_key if k not in wanted]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {', '.join(extra)}")
    if duplicates:
        problems.append(f"repeated column(s) {', '.join(duplicates)}")
    if problems:
        raise LoadError(
            f"{source.path}: {'; '.join(problems)}. The {source.table.name} contract has exactly these "
            f"columns: {', '.join(wanted)}",
            source=str(source.path),
            column=(missing or extra or duplicates)[0],
        )
    return {c: by_key[c] for c in wanted}


def _csv_select(con: duckdb.DuckDBPyConnection, source: SourceFile) -> str:
    names, delimiter = csv_header(source.path)
    mapping = match_columns(source, names)
    columns = "{" + ", ".join(f"{sql_literal(name)}: 'VARCHAR'" for name in names) + "}"
    scan = (
        f"read_csv({sql_literal(str(source.path))}, header = true, auto_detect = false, "
        f"delim = {sql_literal(delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        f"allow_quoted_nulls = false)"
    )
    projected = ", ".join(f"{sql_identifier(mapping[c])} as {sql_identifier(c)}" for c in mapping)
    return f"select {projected} from {scan}"


def csv_header(path: Path) -> tuple[list[str], str]:
    """The column names of a CSV file (plain or gzip) and its delimiter: whichever of
    ``CSV_DELIMITERS`` splits the header line into the most fields."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            line = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read the header line: {exc}", source=str(path)) from exc
    if not line.strip():
        raise LoadError(f"{path}: the file is empty; a CSV file starts with a header line", source=str(path))
    delimiter = max(CSV_DELIMITERS, key=line.count)
    return next(csv.reader([line], delimiter=delimiter)), delimiter


def _parquet_select(con: duckdb.DuckDBPyConnection, source: SourceFile) -> str:
    scan = f"read_parquet({sql_literal(str(source.path))})"
    described = con.execute(f"describe select * from {scan}").fetchall()
    types = {row[0]: str(row[1]) for row in described}
    mapping = match_columns(source, list(types))
    projected = ", ".join(
        f"{text_expression(sql_identifier(mapping[col.name]), types[mapping[col.name]], col.kind)} "
        f"as {sql_identifier(col.name)}"
        for col in source.table.columns
    )
    return f"select {projected} from {scan}"


def _jsonl_select(con: duckdb.DuckDBPyConnection, source: SourceFile, records: str) -> str:
    con.execute(f"create table {records} as select json from read_ndjson_objects({sql_literal(str(source.path))})")
    not_object = con.execute(f"select min(rowid), count(*) from {records} where json_type(json) <> 'OBJECT'").fetchone()
    if not_object and not_object[0] is not None:
        raise LoadError(
            f"{source.path}:row {int(not_object[0]) + 1}: the record is not a JSON object "
            f"({not_object[1]:,} such records){ROW_HINTS['jsonl']}",
            source=str(source.path),
            row=int(not_object[0]) + 1,
        )
    keys = [row[0] for row in con.execute(f"select distinct unnest(json_keys(json)) from {records}").fetchall()]
    mapping = match_columns(source, sorted(keys))
    paths = ", ".join(sql_literal('$."' + mapping[c].replace('"', '\\"') + '"') for c in mapping)
    projected = ", ".join(f"__values[{i}] as {sql_identifier(c)}" for i, c in enumerate(mapping, start=1))
    return f"select {projected} from (select json_extract_string(json, [{paths}]) as __values from {records})"


_DESCRIPTIONS_AFTER_LINE = (
    "Expected Number of Columns",
    "Value with unterminated quote",
    "Maximum line size",
    "Invalid unicode",
    "Invalid Input Error",
)


def _engine_message(error: duckdb.Error) -> str:
    """DuckDB's reading error without its option advice and without the offending line's text, which
    may hold patient data: after ``Original Line`` only known descriptions are kept."""
    kept: list[str] = []
    echoing = False
    for line in str(error).splitlines():
        text = line.strip()
        if text.startswith("Possible fixes"):
            break
        if text.startswith("Original Line"):
            echoing = True
        elif text and (not echoing or text.startswith(_DESCRIPTIONS_AFTER_LINE)):
            kept.append(text)
    return " ".join(kept)
