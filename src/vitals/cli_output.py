"""How the CLI prints rows: ``--format table|csv|json``, shared by every command that prints rows.

- ``table`` (for people) fits the terminal: a borderless table whose cells wrap at spaces when the columns are
  too wide together; when even the longest word of each column does not fit side by side, each row is printed as
  a block of ``column  value`` lines instead (like ``psql``'s expanded display). Nothing is cut off.
- ``csv`` (for spreadsheets and scripts): a header line, then every row. Cells that a spreadsheet would run as a
  formula are prefixed with ``'`` (see ``vitals.csv_safety``) unless ``--csv-raw`` is given.
- ``json`` (for programs): a list of objects, every row; numbers stay numbers, dates and times are ISO text,
  NaN and infinities are ``null``.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from vitals.csv_safety import neutralise_row

Format = Literal["table", "csv", "json"]

FormatOption = Annotated[
    Format, typer.Option("--format", help="Output format: table (fits the terminal), csv or json (every row).")
]
CsvRawOption = Annotated[
    bool,
    typer.Option(
        "--csv-raw",
        help="With --format csv: write cells exactly as stored, without the ' that stops spreadsheets from running "
        "cells beginning with =, +, -, @ as formulas (for programs reading the CSV).",
    ),
]


def print_rows(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: Format,
    *,
    limit: int | None = None,
    csv_raw: bool = False,
) -> None:
    """Print ``rows`` under ``columns`` in ``fmt``; ``limit`` caps the rows of the table format only."""
    if fmt == "json":
        records = [{c: json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row if csv_raw else neutralise_row(row))
    else:
        shown = rows if limit is None else rows[:limit]
        print_table(console, columns, [[table_cell(v) for v in row] for row in shown])
        if len(rows) > len(shown):
            console.print(f"... {len(rows) - len(shown):,} more rows (use --limit or --format csv)", highlight=False)


def print_table(console: Console, columns: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """A borderless table when its columns fit ``console.width`` (wrapping cells at spaces), else one block per
    row."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True, highlight=False)
    for name in columns:
        table.add_column(Text(name), overflow="fold")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    needed = Measurement.get(console, console.options.update_width(1_000_000), table).minimum
    if needed <= console.width:
        console.print(table)
        return
    print_records(console, columns, cells)


def print_records(console: Console, columns: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    """Each row as lines of ``column  value`` (values wrap under themselves), rows separated by a rule."""
    label_width = max((len(c) for c in columns), default=0)
    for number, row in enumerate(cells, start=1):
        console.rule(Text(f"row {number}"), align="left", characters="─", style="dim")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", width=label_width, no_wrap=True)
        grid.add_column(overflow="fold")
        for name, value in zip(columns, row, strict=True):
            grid.add_row(Text(name), Text(value))
        console.print(grid)


def table_cell(value: Any) -> str:
    """A value as a table shows it: empty for NULL, else its text."""
    return "" if value is None else str(value)


def json_value(value: Any) -> Any:
    """A value JSON can hold: numbers as numbers (NaN/inf as null), dates and times as ISO text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)
