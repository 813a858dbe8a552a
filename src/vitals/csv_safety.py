"""Spreadsheet formula injection: CSV cells that a spreadsheet would run as a formula are made text.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is evaluated by Excel, LibreOffice
and Google Sheets as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3+cmd|' /C calc'!A0``). Every CSV vitals
writes for people (CLI ``--format csv``, API exports, dashboard downloads) prefixes such a cell with ``'``, which
spreadsheets show as text and do not run (the OWASP "CSV injection" advice). Numbers stay numbers: a negative
number (``-12.5``) or a signed exponent is not a formula and is written as it is. Machine consumers that want the
cells byte for byte opt out: ``--csv-raw`` on the CLI, ``?csv_formulas=keep`` on API exports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula."""

PREFIX = "'"
"""What a formula-like cell is prefixed with."""

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_FORMULA_REGEX = r"^[=+\-@\t\r]"
_NUMBER_REGEX = "^" + _NUMBER + "$"


def neutralise(value: Any) -> Any:
    """``value`` made safe for a CSV cell: a text starting like a formula gets ``'`` in front; anything else
    (numbers, dates, ``None``, text that is only a signed number) is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER_RE.fullmatch(value):
        return value
    return PREFIX + value


def neutralise_row(row: Sequence[Any]) -> list[Any]:
    """Every cell of ``row`` through ``neutralise``."""
    return [neutralise(value) for value in row]


def neutralise_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with each text column's formula-like cells prefixed (vectorized; other columns untouched)."""
    columns: list[pa.Array] = []
    changed = False
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.and_(
                pc.match_substring_regex(column, _FORMULA_REGEX),
                pc.invert(pc.match_substring_regex(column, _NUMBER_REGEX)),
            )
            if pc.any(risky).as_py():
                prefixed = pc.binary_join_element_wise(pa.scalar(PREFIX, column.type), column, "")
                column = pc.if_else(risky, prefixed, column)
                changed = True
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema) if changed else batch
