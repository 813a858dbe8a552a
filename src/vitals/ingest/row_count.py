"""Every row of a file is loaded or the load is refused: rows are counted without the reader, then compared.

DuckDB's CSV reader refuses a row longer than its maximum line size (2,000,000 bytes) when the row fits its read
buffer, but silently skips one that does not (a field of 34 MB or more): the load then reported "read 0" and
exited 0. This module counts a file's records on its own, from the bytes (CSV: newlines outside double quotes;
JSON Lines: lines that are not blank; Parquet: the row count in the file's footer), refuses a record over the
reader's size limit before the reader runs, naming its row and column, and the loader refuses a load whose
reader read fewer (or more) rows than the file holds (``unread_rows_error``).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np
import pyarrow.parquet as pq

from vitals.ingest.errors import LoadError
from vitals.ingest.file_formats import ROW_HINTS, SourceFile, csv_header

MAX_CSV_ROW_BYTES = 2_000_000
"""The longest CSV row (bytes, without its line break) the reader takes: DuckDB's ``max_line_size``."""

MAX_JSON_RECORD_BYTES = 16 * 1024 * 1024
"""The longest JSON Lines record the reader takes: DuckDB's ``maximum_object_size``."""

BLOCK_BYTES = 256 * 1024
"""Bytes scanned at a time: counting holds one block (and a few arrays its size) in memory; blocks that stay in
the CPU cache make the scan fastest (about 400 MB/s on one core)."""

_NEWLINE = 10
_QUOTE = 34
_CSV_BLANK = np.array([10, 13], dtype=np.uint8)
_JSON_BLANK = np.array([9, 10, 13, 32], dtype=np.uint8)


@dataclass(frozen=True)
class Oversize:
    """A record over the size limit: its 1-based number among the non-blank records, start and length."""

    record: int
    offset: int
    length: int


def unread_rows_error(source: SourceFile, expected: int, read: int) -> LoadError:
    """The refusal of a load whose reader read ``read`` rows of a file that holds ``expected``."""
    return LoadError(
        f"{source.path}: the file holds {expected:,} data row(s) but the reader read {read:,}; "
        f"nothing was loaded{ROW_HINTS[source.format]}",
        source=str(source.path),
    )


def count_rows(source: SourceFile) -> int:
    """The data rows of ``source`` counted from its bytes (CSV: without the header line).

    Raises ``LoadError`` naming the row (and, for CSV, the column) of the first record the reader would
    refuse or skip for its size."""
    if source.format == "parquet":
        try:
            return int(pq.ParquetFile(source.path).metadata.num_rows)
        except (OSError, ValueError) as exc:
            raise LoadError(f"{source.path}: cannot be read as parquet: {exc}", source=str(source.path)) from exc
    if source.format == "csv":
        names, delimiter = csv_header(source.path)
        with _open(source.path) as handle:
            records, oversize = scan_records(handle, quote=True, blank=_CSV_BLANK, limit=MAX_CSV_ROW_BYTES)
        if oversize is not None:
            raise _csv_too_long(source, oversize, names, delimiter)
        return max(records - 1, 0)
    with _open(source.path) as handle:
        records, oversize = scan_records(handle, quote=False, blank=_JSON_BLANK, limit=MAX_JSON_RECORD_BYTES)
    if oversize is not None:
        raise LoadError(
            f"{source.path}:row {oversize.record}: the record is {oversize.length:,} bytes or more, over the "
            f"{MAX_JSON_RECORD_BYTES:,}-byte limit of a JSON Lines record; shorten its values; nothing was loaded"
            f"{ROW_HINTS['jsonl']}",
            source=str(source.path),
            row=oversize.record,
        )
    return records


def scan_records(handle: IO[bytes], *, quote: bool, blank: np.ndarray, limit: int) -> tuple[int, Oversize | None]:
    """Count the records of a byte stream: lines ending at a newline that is outside double quotes (when
    ``quote``) and holding a byte that is not in ``blank``. Stops at the first record longer than ``limit``
    bytes, which it returns."""
    records = 0
    start = 0  # absolute offset of the current record
    open_quote = 0  # parity of the quotes seen in the current record
    has_content = False  # the current record holds a non-blank byte so far
    offset = 0
    while block := handle.read(BLOCK_BYTES):
        data = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(data == _NEWLINE)
        if quote:
            quotes = np.flatnonzero(data == _QUOTE)
            quotes_before = np.searchsorted(quotes, newlines)  # quotes in the block before each newline
            ends = newlines[((quotes_before + open_quote) & 1) == 0]
            open_quote = (len(quotes) + open_quote) & 1
        else:
            ends = newlines
        content = np.ones(len(data), dtype=bool)
        for byte in blank:
            content &= data != byte
        if len(ends):
            starts = np.concatenate(([0], ends[:-1] + 1))
            filled = np.logical_or.reduceat(content[: int(ends[-1]) + 1], starts)
            filled[0] = filled[0] or has_content
            lengths = offset + ends - np.concatenate(([start], offset + ends[:-1] + 1))
            over = np.flatnonzero(lengths > limit)
            if len(over):
                first = int(over[0])
                record_start = start if first == 0 else offset + int(ends[first - 1]) + 1
                before = int(np.count_nonzero(filled[:first]))
                return records + before, Oversize(records + before + 1, record_start, int(lengths[first]))
            records += int(np.count_nonzero(filled))
            start = offset + int(ends[-1]) + 1
            has_content = bool(content[int(ends[-1]) + 1 :].any())
        else:
            has_content = has_content or bool(content.any())
        offset += len(block)
        if offset - start > limit:
            return records, Oversize(records + 1, start, offset - start)
    return records + (1 if has_content else 0), None


def _csv_too_long(source: SourceFile, oversize: Oversize, names: list[str], delimiter: str) -> LoadError:
    """The error for a CSV row over the limit, naming its row (1 = first data row) and its largest value's column."""
    row = oversize.record - 1
    with _open(source.path) as handle:
        handle.seek(oversize.offset)
        window = handle.read(MAX_CSV_ROW_BYTES + 64 * 1024)
    index = largest_field(window, delimiter)
    column = names[index] if index < len(names) else f"field {index + 1}"
    return LoadError(
        f"{source.path}:row {row}: the row is {oversize.length:,} bytes or more (its largest value is in column "
        f"{column}), over the {MAX_CSV_ROW_BYTES:,}-byte limit of a CSV row; shorten or leave out that value; "
        f"nothing was loaded{ROW_HINTS['csv']}",
        source=str(source.path),
        row=row,
        column=column,
    )


def largest_field(window: bytes, delimiter: str) -> int:
    """The 0-based index of the longest field of the CSV record that ``window`` starts with (a field running past
    the end of ``window`` counts as long as what is seen of it)."""
    tokens = re.compile(b'["\\n' + re.escape(delimiter.encode()) + b"]")
    field, field_start, in_quotes = 0, 0, False
    best, best_length = 0, -1
    for match in tokens.finditer(window):
        if match.group()[0] == _QUOTE:
            in_quotes = not in_quotes
            continue
        if in_quotes:
            continue
        if match.start() - field_start > best_length:
            best, best_length = field, match.start() - field_start
        if match.group()[0] == _NEWLINE:
            return best
        field, field_start = field + 1, match.end()
    return field if len(window) - field_start > best_length else best


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")
