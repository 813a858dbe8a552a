"""Refuse a source whose typed or required columns hold values staging could not use.

Two forms of the same checks:

- ``guard_sql``: a condition a streaming load filters every row through; it stops the query at the
  first failing row it meets (in no particular order), without saying which.
- ``validate_table``: one vectorized DuckDB query over a source's reader table (``rowid`` is the
  source row order) that names the first offending row, over all checks, with its column and value.
  A load whose guard stopped it runs this to explain why.

Empty means NULL or blank; only ``required`` columns refuse it. A column with ``choices`` takes only
those values (trimmed, any letter case). JSON columns are never refused (staging counts invalid JSON
instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from vitals.contracts import ColumnKind, RawTable
from vitals.ingest.errors import LoadError, preview
from vitals.ingest.reader import sql_identifier, sql_literal

BOOLEAN_SPELLINGS = ("true", "false", "t", "f", "1", "0", "yes", "no", "y", "n")
"""Accepted boolean text (case-insensitive, surrounding blanks ignored)."""

RowLocator = Callable[[int, str | None], str]
"""(1-based row number, the row's key value) -> how a message names the row, e.g. ``a.csv:row 3``."""


@dataclass(frozen=True)
class Check:
    """One rule for one column: rows where ``failing_sql`` is true are refused."""

    column: str
    failing_sql: str
    problem: str


def _non_empty(column: str) -> str:
    return f"trim({column}) <> ''"


def _empty(column: str) -> str:
    """``column`` is NULL or blank (``trim`` leaves nothing). Cheap on most values: ``trim`` runs only
    when the first character is not printable ASCII, the only ones it never removes."""
    return f"({column} is null or {column} = '' or (left({column}, 1) not between '!' and '~' and trim({column}) = ''))"


def checks_for(raw: RawTable) -> list[Check]:
    """The checks of a raw contract, in column order (a column's required check first)."""
    checks: list[Check] = []
    for col in raw.columns:
        c = sql_identifier(col.name)
        if col.required:
            checks.append(Check(col.name, _empty(c), "is empty, but the column is required"))
        if col.kind is ColumnKind.TIMESTAMP:
            # the plain timestamp cast is fast and takes most values, so it goes first; the zone-aware one the rest
            failing = (
                f"(try_cast({c} as timestamp) is null and {_non_empty(c)} "
                f"and try_cast(trim({c}) as timestamptz) is null)"
            )
            checks.append(Check(col.name, failing, "is not a valid timestamp"))
        elif col.kind is ColumnKind.INTEGER:
            failing = (
                f"({_non_empty(c)} and (not regexp_full_match(trim({c}), '[+-]?[0-9]+') "
                f"or try_cast(trim({c}) as bigint) is null))"
            )
            checks.append(Check(col.name, failing, "is not a valid integer"))
            if col.bounds is not None:
                low, high = col.bounds
                outside = (
                    f"({_non_empty(c)} and regexp_full_match(trim({c}), '[+-]?[0-9]+') "
                    f"and try_cast(trim({c}) as bigint) not between {low} and {high})"
                )
                checks.append(Check(col.name, outside, f"is outside {low}..{high}"))
        elif col.kind is ColumnKind.NUMBER:
            failing = (
                f"({_non_empty(c)} and (try_cast(trim({c}) as double) is null or isnan(try_cast(trim({c}) as double))))"
            )
            checks.append(Check(col.name, failing, "is not a valid number"))
        elif col.kind is ColumnKind.BOOLEAN:
            spellings = ", ".join(f"'{s}'" for s in BOOLEAN_SPELLINGS)
            failing = f"({_non_empty(c)} and lower(trim({c})) not in ({spellings}))"
            checks.append(Check(col.name, failing, "is not a valid boolean (true/false/t/f/1/0/yes/no)"))
        if col.choices is not None:
            allowed = ", ".join(sql_literal(choice) for choice in col.choices)
            failing = f"({_non_empty(c)} and lower(trim({c})) not in ({allowed}))"
            checks.append(Check(col.name, failing, f"is not one of {', '.join(col.choices)}"))
    return checks


GUARD_MESSAGE = "vitals: a row fails the contract checks"
"""What the guard's error says (the reason is found by ``validate_table``)."""


def guard_sql(raw: RawTable) -> str:
    """A DuckDB condition over the contract's columns: true for a valid row, an error (``GUARD_MESSAGE``)
    for an invalid one."""
    checks = checks_for(raw)
    if not checks:
        return "true"
    failing = " or ".join(check.failing_sql for check in checks)
    return f"(case when {failing} then error({sql_literal(GUARD_MESSAGE)}) else true end)"


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    raw: RawTable,
    locate: RowLocator,
    *,
    source: str,
    hint: str = "",
) -> None:
    """Raise ``LoadError`` naming the first offending row of reader table ``table``, if any."""
    checks = checks_for(raw)
    if not checks:
        return
    aggregates = ", ".join(
        f"min(rowid) filter (where {check.failing_sql}), count(*) filter (where {check.failing_sql})"
        for check in checks
    )
    found = con.execute(f"select {aggregates} from {table}").fetchone()
    assert found is not None
    first: tuple[int, int, Check] | None = None
    for index, check in enumerate(checks):
        rowid, count = found[2 * index], found[2 * index + 1]
        if rowid is not None and (first is None or rowid < first[0]):
            first = (int(rowid), int(count), check)
    if first is None:
        return
    rowid, count, check = first
    value_row = con.execute(
        f"select {sql_identifier(check.column)}, {sql_identifier(raw.key)} from {table} where rowid = ?", [rowid]
    ).fetchone()
    assert value_row is not None
    value, key = value_row
    where = locate(rowid + 1, key)
    more = f" ({count - 1:,} more rows fail this check)" if count > 1 else ""
    raise LoadError(
        f"{where} column {check.column}: value {preview(value)} {check.problem}{more}{hint}",
        source=source,
        row=rowid + 1,
        column=check.column,
        value=value,
    )
