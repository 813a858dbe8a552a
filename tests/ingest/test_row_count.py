"""A row with a huge field is refused with its file, row and column, never dropped; rows are counted from the
bytes, independently of the reader, and a load whose reader lost a row is refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ingest.test_files import counts
from vitals.config import Settings
from vitals.ingest import row_count
from vitals.ingest.errors import LoadError
from vitals.ingest.files import load_files

MB = 1024 * 1024


def settings_in(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")


@pytest.mark.parametrize("size_mb", [3, 34])
@pytest.mark.parametrize("alone", [True, False])
def test_a_csv_row_with_a_huge_field_is_refused_naming_file_row_and_column(
    tmp_path: Path, write_source: Any, rows: Any, size_mb: int, alone: bool
) -> None:
    big = rows.event(2, endpoint="x" * (size_mb * MB))
    path = write_source("events_big", [big] if alone else [rows.event(1), big, rows.event(3)])
    settings = settings_in(tmp_path)

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    row = 1 if alone else 2
    assert str(caught.value).startswith(f"{path}:row {row}: the row is ")
    assert "column endpoint" in str(caught.value)
    assert (caught.value.row, caught.value.column) == (row, "endpoint")
    assert counts(settings)["events_big"] == 0


def test_a_huge_jsonl_record_is_refused_naming_its_row(tmp_path: Path, write_source: Any, rows: Any) -> None:
    path = write_source("events_big", [rows.event(1), rows.event(2, properties="y" * (20 * MB))], fmt="jsonl")
    with pytest.raises(LoadError) as caught:
        load_files(settings_in(tmp_path), [path], progress=False)
    assert str(caught.value).startswith(f"{path}:row 2: the record is ")
    assert caught.value.row == 2


def test_a_row_the_reader_skips_silently_is_caught_by_the_independent_count(
    tmp_path: Path, write_source: Any, rows: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the size check, DuckDB's CSV reader skips a 34 MB row without an error ("read 0").
    monkeypatch.setattr(row_count, "MAX_CSV_ROW_BYTES", 200 * MB)
    path = write_source("events_big", [rows.event(2, endpoint="x" * (34 * MB))])
    settings = settings_in(tmp_path)

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    assert f"{path}: the file holds 1 data row(s) but the reader read 0" in str(caught.value)
    assert counts(settings)["events_big"] == 0


@pytest.mark.parametrize("fmt", ["csv", "csv.gz", "jsonl", "parquet"])
def test_every_row_of_a_normal_file_is_counted_and_loaded(
    tmp_path: Path, write_source: Any, rows: Any, fmt: str
) -> None:
    multiline = rows.event(3, properties=json.dumps({"note_id": 'a\nb, "c"'}))
    path = write_source("events_big", [rows.event(1), rows.event(2), multiline], fmt=fmt)
    report = load_files(settings_in(tmp_path), [path], progress=False)
    assert [(t.rows_read, t.rows_inserted) for t in report.tables] == [(3, 3)]


def csv_records(text: str) -> int:
    """Non-blank records as Python's csv module (and DuckDB, which skips empty lines) sees them."""
    return sum(1 for record in csv.reader(io.StringIO(text, newline="")) if record)


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,2\n3,"x\ny"\n\n4,5',
        'a,b\r\n1,"q""q\r\n,"\r\n\r\n\r\n2,3\r\n',
        "a,b\n" + "".join(f'{i},"{"," * (i % 7)}\n{i}"\n' for i in range(200)),
        "a\n",
        "",
    ],
)
@pytest.mark.parametrize("block", [1, 3, 7, 4096])
def test_csv_records_are_counted_across_block_boundaries(
    text: str, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_count, "BLOCK_BYTES", block)
    found, oversize = row_count.scan_records(
        io.BytesIO(text.encode()), quote=True, blank=row_count._CSV_BLANK, limit=10_000
    )
    assert (found, oversize) == (csv_records(text), None)


def test_jsonl_blank_and_whitespace_lines_are_not_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(row_count, "BLOCK_BYTES", 5)
    text = b'{"a":1}\n\n   \r\n{"a":"x,\\"y"}\r\n\t\n{"a":3}'
    found, oversize = row_count.scan_records(
        io.BytesIO(text), quote=False, blank=np.array([9, 10, 13, 32], dtype=np.uint8), limit=100
    )
    assert (found, oversize) == (3, None)


def test_the_first_oversize_record_is_located(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(row_count, "BLOCK_BYTES", 4)
    text = b'h\n1\n\n"22\n2"\n' + b"3" * 50 + b"\n4\n"
    found, oversize = row_count.scan_records(io.BytesIO(text), quote=True, blank=row_count._CSV_BLANK, limit=20)
    assert oversize is not None
    assert (found, oversize.record) == (3, 4)
    assert text[oversize.offset : oversize.offset + 3] == b"333"


def test_largest_field_names_the_long_value() -> None:
    record = b'a,"b,""c"",' + b"d" * 30 + b'",e\n' + b"z" * 60
    assert row_count.largest_field(record, ",") == 1
    assert row_count.largest_field(b"a;b;" + b"c" * 30, ";") == 2
