"""The reader-side rules: the property allowlist, the row hash, typed values to text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from vitals.config import Settings
from vitals.contracts import EVENTS, ColumnKind
from vitals.ingest.errors import LoadError
from vitals.ingest.reader import open_reader
from vitals.ingest.sanitize import INVALID_JSON_MARKER, row_hash, row_hash_sql, sanitized_select
from vitals.ingest.text_form import text_expression

TRICKY = [chr(i) for i in range(0x80)] + ["é", "日本", "😀", "\u2028", 'a"b\\c/d', "", "|", "~", "null", "[", "]"]


@pytest.fixture
def reader(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return open_reader(Settings(state_dir=tmp_path / ".vitals"))


def test_python_row_hash_equals_the_sql_one_for_any_text(reader: duckdb.DuckDBPyConnection) -> None:
    for value in [*TRICKY, None]:
        row = [value, None, "x", value]
        values = "select ?::varchar a, ?::varchar b, ?::varchar c, ?::varchar d"
        sql = f"select {row_hash_sql(['a', 'b', 'c', 'd'])} from ({values})"
        assert reader.execute(sql, row).fetchone() == (row_hash(row),), repr(value)


def test_row_hash_tells_null_empty_and_shifted_values_apart() -> None:
    hashes = {
        row_hash(v) for v in (["a", None], ["a", ""], ["a", "null"], ['a",null', None], ["a,", None], [None, "a"])
    }
    assert len(hashes) == 6


def _sanitize(reader: duckdb.DuckDBPyConnection, properties: Sequence[str | None], allowlist: list[str]) -> list[str]:
    columns = ", ".join(f"null::varchar as {c}" for c in EVENTS.column_names if c != "properties")
    reader.execute("create or replace table props as select unnest(?::varchar[]) as properties", [list(properties)])
    source = f"select {columns}, properties from props"
    ordered = f"select {', '.join(EVENTS.column_names)} from ({source})"
    return [
        r[0]
        for r in reader.execute(f"select properties from ({sanitized_select(EVENTS, ordered, allowlist)})").fetchall()
    ]


def test_properties_keep_only_allowlisted_keys(reader: duckdb.DuckDBPyConnection) -> None:
    given = [
        '{"patient_name": "Jane", "note_id": "n1", "nested": {"note_id": "x"}, "length": 12}',
        '{"note_id": "n1", "note_id": "n2"}',  # a repeated key does not break the load; the first is kept
        '{"length": null}',
        "{}",
        '{"only": "phi"}',
    ]
    assert _sanitize(reader, given, ["note_id", "length"]) == [
        '{"note_id":"n1","length":12}',
        '{"note_id":"n1"}',
        '{"length":null}',
        "{}",
        "{}",
    ]
    assert _sanitize(reader, ['{"note_id": "n1"}'], []) == ["{}"]


def test_what_is_not_a_json_object_carries_nothing(reader: duckdb.DuckDBPyConnection) -> None:
    given = ["{broken", '"Jane Doe"', "[1]", "42", "null", "", "  ", None]
    marker = INVALID_JSON_MARKER
    assert _sanitize(reader, given, ["note_id"]) == [marker, marker, marker, marker, None, "", "  ", None]


def test_blanks_around_an_object_and_lenient_json_are_judged_as_duckdb_parses_them(
    reader: duckdb.DuckDBPyConnection,
) -> None:
    given = [
        ' \t\n{"note_id": 1}\n',  # JSON blanks around an object: still an object
        '\u00a0{"note_id": 1}',  # a non-breaking space is not a JSON blank
        '{"note_id": 1} trailing',
        '{"note_id": 1,}',  # DuckDB's JSON reader takes a trailing comma
        "{'note_id': 1}",
        " null ",
        "[",
    ]
    marker = INVALID_JSON_MARKER
    assert _sanitize(reader, given, ["note_id"]) == [
        '{"note_id":1}',
        marker,
        marker,
        '{"note_id":1}',
        marker,
        None,
        marker,
    ]


def test_allowlist_keys_that_cannot_be_paths_are_refused(reader: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(LoadError, match="property_allowlist"):
        _sanitize(reader, ["{}"], ['bad"key'])


@pytest.mark.parametrize(
    ("literal", "duckdb_type", "kind", "text"),
    [
        (
            "timestamptz '2023-12-01 15:45:23.456+02'",
            "TIMESTAMP WITH TIME ZONE",
            ColumnKind.TIMESTAMP,
            "2023-12-01T13:45:23.456000Z",
        ),
        ("timestamp '2023-12-01 13:45:23'", "TIMESTAMP", ColumnKind.TIMESTAMP, "2023-12-01T13:45:23.000000Z"),
        (
            "timestamp_ns '2023-12-01 13:45:23.123456789'",
            "TIMESTAMP_NS",
            ColumnKind.TIMESTAMP,
            "2023-12-01T13:45:23.123456Z",
        ),
        ("date '2023-12-01'", "DATE", ColumnKind.TIMESTAMP, "2023-12-01"),
        ("true", "BOOLEAN", ColumnKind.BOOLEAN, "true"),
        ("42.0::double", "DOUBLE", ColumnKind.INTEGER, "42"),
        ("42.5::double", "DOUBLE", ColumnKind.INTEGER, "42.5"),
        ("'nan'::double", "DOUBLE", ColumnKind.INTEGER, None),
        ("12.00::decimal(10, 2)", "DECIMAL(10,2)", ColumnKind.INTEGER, "12"),
        ("7::bigint", "BIGINT", ColumnKind.INTEGER, "7"),
        ("{'a': 1}", "STRUCT(a INTEGER)", ColumnKind.JSON, '{"a":1}'),
        ("[1, 2]", "INTEGER[]", ColumnKind.JSON, "[1,2]"),
        (
            "'e3b0c442-98fc-1c14-9afb-f4c8996fb924'::uuid",
            "UUID",
            ColumnKind.TEXT,
            "e3b0c442-98fc-1c14-9afb-f4c8996fb924",
        ),
    ],
)
def test_typed_values_become_raw_text(
    reader: duckdb.DuckDBPyConnection, literal: str, duckdb_type: str, kind: ColumnKind, text: str | None
) -> None:
    value = reader.execute(f"select {text_expression('v', duckdb_type, kind)} from (select {literal} as v)").fetchone()
    assert value == (text,)
