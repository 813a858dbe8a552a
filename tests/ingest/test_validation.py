"""The streaming guard stops exactly the rows the contract's plainly written rules refuse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from vitals.config import Settings
from vitals.contracts import EVENTS, NPS_RESPONSES, SENTRY_ERRORS, Column, ColumnKind, RawTable
from vitals.ingest.reader import open_reader, sql_identifier
from vitals.ingest.validation import Check, checks_for, guard_sql

AWKWARD = [
    None,
    "",
    " ",
    "   ",
    "\t",
    "\u00a0",
    " \u00a0 ",
    "\u3000",
    "x",
    " 5",
    "5 ",
    "+7",
    "-0",
    "1.5",
    "1e3",
    "nan",
    "true",
    " YES ",
    "maybe",
    "2024-01-01",
    "2024-01-01 10:00:00",
    " 2024-01-01T10:00:00+02:00 ",
    "2024-01-01T10:00:00Z",
    "2024-13-01",
    "yesterday",
    "99999999999999999999",
    "11",
]


@pytest.fixture
def reader(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return open_reader(Settings(state_dir=tmp_path / ".vitals"))


def _plain_rule(column: Column) -> str:
    """The rule of a column as the contract states it, written the obvious way (no shortcuts)."""
    v = sql_identifier(column.name)
    rules = [f"({v} is null or trim({v}) = '')"] if column.required else []
    if column.kind is ColumnKind.TIMESTAMP:
        rules.append(
            f"(trim({v}) <> '' and try_cast({v} as timestamp) is null and try_cast(trim({v}) as timestamptz) is null)"
        )
    if column.kind in (ColumnKind.INTEGER, ColumnKind.NUMBER, ColumnKind.BOOLEAN):  # written plainly already
        rules += [check.failing_sql for check in checks_for_column(column)]
    return " or ".join(rules) or "false"


def checks_for_column(column: Column) -> list[Check]:
    """The contract's typed checks of ``column`` (not its required check)."""
    alone = RawTable(name="t", columns=(Column(column.name, column.kind, bounds=column.bounds),), key=column.name)
    return checks_for(alone)


@pytest.mark.parametrize("raw", [EVENTS, SENTRY_ERRORS, NPS_RESPONSES], ids=lambda r: r.name)
def test_the_guard_stops_a_row_exactly_when_a_plain_rule_refuses_it(
    reader: duckdb.DuckDBPyConnection, raw: RawTable
) -> None:
    valid = {c.name: "2024-01-01" if c.kind is ColumnKind.TIMESTAMP else "7" for c in raw.columns}
    cases = [(column, value) for column in raw.columns for value in AWKWARD]
    rows = [[valid[c] if c != column.name else value for c in raw.column_names] for column, value in cases]
    reader.execute(
        "create or replace table cases as select "
        + ", ".join(f"r[{i}] as {sql_identifier(c)}" for i, c in enumerate(raw.column_names, start=1))
        + " from (select unnest(?::varchar[][]) as r)",
        [rows],
    )
    plain = " or ".join(f"({_plain_rule(c)})" for c in raw.columns)
    plainly = [row[0] for row in reader.execute(f"select ({plain}) from cases order by rowid").fetchall()]

    def guard_stops(rowid: int) -> bool:
        try:
            reader.execute(f"select count(*) from cases where rowid = ? and {guard_sql(raw)}", [rowid]).fetchall()
        except duckdb.Error as exc:
            assert "fails the contract checks" in str(exc)
            return True
        return False

    stopped = [case for rowid, case in enumerate(cases) if guard_stops(rowid)]
    refused = [case for case, refuses in zip(cases, plainly, strict=True) if refuses]
    assert [(c.name, v) for c, v in stopped] == [(c.name, v) for c, v in refused]
    assert refused and len(refused) < len(cases)  # both outcomes occur
