"""Every CLI command that prints rows takes --format table|csv|json through one helper; tables fit an 80-column
terminal (wrapping, or one block per row) and never cut a value short; CSV neutralises formula cells."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from vitals.cli import app
from vitals.cli_output import print_rows
from vitals.config import Settings
from vitals.warehouse import open_warehouse

ROW_COMMANDS = [
    ["sql", "select 1"],
    ["metrics", "list"],
    ["metrics", "show", "mrr"],
    ["health"],
    ["revenue"],
    ["alerts", "eval"],
    ["alerts", "list"],
    ["alerts", "history"],
    ["tokens", "list"],
]
ALERT_COLUMNS = ["rule", "metric", "scope", "condition", "window", "for", "severity", "routes", "enabled", "states"]
ALERT_ROWS = [
    ("quality_low", "quality_pass_rate_hourly", "global", "< 0.8", "1h", "0m", "critical", "oncall,cs", True, ""),
    ("health_low", "health_score", "org", "< 40", "1d", "0m", "high", "cs", True, "0b1f…=firing"),
]


@pytest.mark.parametrize("args", ROW_COMMANDS, ids=" ".join)
def test_every_row_command_takes_the_three_formats_and_csv_raw(args: list[str]) -> None:
    refused = CliRunner().invoke(app, [*args, "--format", "xml", "--csv-raw"])
    assert refused.exit_code == 2
    assert "'table', 'csv', 'json'" in " ".join(refused.output.replace("│", " ").split())
    assert "--csv-raw" in CliRunner().invoke(app, [*args, "--help"]).output


def rendered(columns: list[str], rows: list[tuple[object, ...]], width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_rows(console, columns, rows, "table")
    return console.export_text()


def test_a_wide_table_fits_80_columns_and_cuts_nothing() -> None:
    text = rendered(ALERT_COLUMNS, ALERT_ROWS)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text.replace("0b1f…", "")
    for value in ("quality_low", "quality_pass_rate_hourly", "critical", "oncall,cs", "global", "health_score"):
        assert value in text


def test_a_table_that_fits_stays_a_table_and_long_cells_wrap_at_spaces() -> None:
    sentence = "down 28: quality −19, reliability −10, engagement +8 and a good deal more words to wrap"
    text = rendered(["name", "score", "move"], [("Beta Health", 34.8, sentence)])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "score", "move"]
    assert max(len(line) for line in lines) <= 80
    assert " ".join(" ".join(lines[2:]).split()).endswith("more words to wrap")
    assert "Beta Health" in lines[2]


def test_a_table_prints_null_as_empty_and_says_how_many_rows_were_left_out() -> None:
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    print_rows(console, ["a"], [(None,), (1,), (2,)], "table", limit=2)
    assert "1 more rows" in console.export_text()


def test_csv_neutralises_formula_cells_but_keeps_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [('=HYPERLINK("http://x","y")', -5, "-12.5"), ("@SUM(A1)", 1.5, "+1-2"), ("\tx", None, "plain")]
    print_rows(Console(), ["a", "b", "c"], rows, "csv")
    parsed = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert parsed == [
        ["a", "b", "c"],
        ['\'=HYPERLINK("http://x","y")', "-5", "-12.5"],
        ["'@SUM(A1)", "1.5", "'+1-2"],
        ["'\tx", "", "plain"],
    ]
    print_rows(Console(), ["a", "b", "c"], rows, "csv", csv_raw=True)
    assert list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:] == [
        [str(v) if v is not None else "" for v in r] for r in rows
    ]


def test_json_keeps_numbers_as_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(Decimal("12.50"), Decimal("3"), float("nan"), date(2026, 1, 2), "=x")]
    print_rows(Console(), ["a", "b", "c", "d", "e"], rows, "json")
    assert json.loads(capsys.readouterr().out) == [{"a": 12.5, "b": 3, "c": None, "d": "2026-01-02", "e": "=x"}]


def test_vitals_sql_csv_is_safe_for_spreadsheets_unless_raw(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    open_warehouse(Settings(warehouse=warehouse)).close()
    env = {"VITALS_WAREHOUSE": str(warehouse)}
    query = "select '=cmd|'' /C calc''!A0' as org_name, -5 as delta, '-3' as text_number"
    safe = CliRunner().invoke(app, ["sql", query, "--format", "csv"], env=env)
    assert safe.exit_code == 0, safe.output
    assert safe.output.splitlines() == ["org_name,delta,text_number", "'=cmd|' /C calc'!A0,-5,-3"]
    raw = CliRunner().invoke(app, ["sql", query, "--format", "csv", "--csv-raw"], env=env)
    assert raw.output.splitlines()[1] == "=cmd|' /C calc'!A0,-5,-3"
