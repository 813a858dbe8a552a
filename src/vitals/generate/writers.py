"""Streaming writers of all-text tables: CSV (with header), Parquet and JSON Lines."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "jsonl")


class TableWriter(Protocol):
    """Appends tables with one fixed schema to a file."""

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""

    def close(self) -> None:
        """Finish the file."""


def text_schema(columns: list[str]) -> pa.Schema:
    """A schema of nullable string columns."""
    return pa.schema([pa.field(name, pa.string()) for name in columns])


class CsvWriter:
    """CSV with a header line; every value quoted, nulls left empty."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._schema = schema
        self._writer = pa_csv.CSVWriter(str(path), schema)

    def write(self, table: pa.Table) -> None:
        """Append rows."""
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


class ParquetWriter:
    """Parquet with all-string columns, one row group per written table."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._schema = schema
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        """Append rows."""
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def _json_escaped(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Each value escaped for use inside a JSON string literal (nulls stay null).

    Cheap scans decide which escapes a column needs, since most columns need none.
    """
    text = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pc.any(pc.match_substring(text, "\\")).as_py():
        text = pc.replace_substring(text, "\\", "\\\\")
    if pc.any(pc.match_substring(text, '"')).as_py():
        text = pc.replace_substring(text, '"', '\\"')
    if not pc.all(pc.ascii_is_printable(text)).as_py():  # control or non-ASCII characters somewhere
        for char, escaped in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            text = pc.replace_substring(text, char, escaped)
        text = pc.replace_substring_regex(text, "[\\x00-\\x1f]", " ")
    return text


def _json_lines(table: pa.Table, names: list[str]) -> pa.Array:
    """One JSON object per row followed by a newline; quotes are folded into the literal parts."""
    parts: list[pa.Array | str] = []
    literal = ""
    for i, name in enumerate(names):
        literal += ("{" if i == 0 else ", ") + f'"{name}": '
        text = _json_escaped(table.column(name))
        if text.null_count:
            quoted = pc.fill_null(pc.binary_join_element_wise('"', text, '"', ""), "null")
            parts += [literal, quoted]
            literal = ""
        else:
            parts += [literal + '"', text]
            literal = '"'
    parts.append(literal + "}\n")
    return pc.binary_join_element_wise(*parts, "")


class JsonlWriter:
    """JSON Lines: one object per row, keys in column order, built column-wise and written as bytes."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._names = schema.names
        self._file: BinaryIO = path.open("wb")

    def write(self, table: pa.Table) -> None:
        """Append rows."""
        if table.num_rows == 0:
            return
        lines = _json_lines(table, self._names)
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        data = lines.buffers()[2]
        if data is not None:
            self._file.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])

    def close(self) -> None:
        """Finish the file."""
        self._file.close()


def open_writer(path: Path, fmt: Format, columns: list[str]) -> TableWriter:
    """A writer of ``fmt`` for a table with these (string) columns."""
    schema = text_schema(columns)
    if fmt == "csv":
        return CsvWriter(path, schema)
    if fmt == "parquet":
        return ParquetWriter(path, schema)
    if fmt == "jsonl":
        return JsonlWriter(path, schema)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


class BackgroundWriters:
    """Writers of several tables fed from one worker thread, so rendering and writing overlap.

    Writes run in submission order; at most ``depth`` tables wait at a time, which bounds memory.
    """

    def __init__(self, writers: dict[str, TableWriter], depth: int = 2) -> None:
        self._writers = writers
        self._depth = depth
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vitals-generate-writer")
        self._pending: deque[Future[None]] = deque()

    def write(self, name: str, table: pa.Table) -> None:
        """Queue ``table`` for the writer of ``name``; wait while too many are queued."""
        self._pending.append(self._pool.submit(self._writers[name].write, table))
        while len(self._pending) > self._depth:
            self._pending.popleft().result()

    def close(self) -> None:
        """Finish the queued writes (raising the first failure) and close every file."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            for writer in self._writers.values():
                writer.close()
