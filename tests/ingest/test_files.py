"""Bulk files land in the raw tables: each format, idempotently, all or nothing, without PHI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vitals.config import Settings
from vitals.contracts import EVENTS, RAW_TABLES, SENTRY_ERRORS, STRIPE_BILLING
from vitals.ingest import landing
from vitals.ingest.errors import LoadError
from vitals.ingest.files import load_directory, load_files
from vitals.ingest.sanitize import INVALID_JSON_MARKER, row_hash
from vitals.warehouse import open_warehouse

ALLOWED_PROPERTIES = '{"note_id":"n1","length":500}'


def raw_rows(settings: Settings, table: str) -> list[dict[str, Any]]:
    """Every row of ``raw.<table>``, ordered by its natural key, as dicts."""
    raw = RAW_TABLES[table]
    columns = [*raw.column_names, "_row_hash", "_loaded_at"]
    with open_warehouse(settings) as wh:
        found = wh.query(f"select {', '.join(columns)} from raw.{table} order by {raw.key}")
    return [dict(zip(columns, row, strict=True)) for row in found]


def counts(settings: Settings) -> dict[str, int]:
    """Row counts of the raw tables and of raw._loads."""
    with open_warehouse(settings) as wh:
        wh.ensure_raw_tables()
        return {t: int(wh.query(f"select count(*) from raw.{t}")[0][0]) for t in [*RAW_TABLES, "_loads"]}


def all_raw_text(settings: Settings) -> str:
    """Everything stored in the raw schema, as one string."""
    with open_warehouse(settings) as wh:
        return repr([wh.query(f"select * from raw.{t}") for t in [*RAW_TABLES, "_loads", "_cursors"]])


@pytest.mark.parametrize("fmt", ["csv", "csv.gz", "jsonl", "ndjson", "parquet"])
def test_each_format_lands_the_contract_rows(engine_settings: Settings, write_source: Any, rows: Any, fmt: str) -> None:
    path = write_source("events_big", [rows.event(1), rows.event(2, user_id="u-2")], fmt)

    report = load_directory(engine_settings, path.parent, progress=False)

    assert (report.table("events_big").rows_read, report.table("events_big").rows_inserted) == (2, 2)
    landed = raw_rows(engine_settings, "events_big")
    expected = rows.event(1, properties=ALLOWED_PROPERTIES)
    if fmt.startswith("csv"):
        expected["user_id"] = None  # an empty CSV field is NULL; a quoted "" would be ''
    assert {c: landed[0][c] for c in EVENTS.column_names} == expected
    assert landed[1]["user_id"] == "u-2"
    assert landed[0]["_row_hash"] == row_hash([expected[c] for c in EVENTS.column_names])
    assert landed[0]["_loaded_at"].endswith("Z")
    assert landed[0]["_loaded_at"] == landed[1]["_loaded_at"]


def test_directory_of_three_tables_with_typed_parquet_and_nested_json(
    engine_settings: Settings, write_source: Any, rows: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "three"
    write_source("events_big", [rows.event(1)], "csv", folder)
    typed = pa.table(
        {
            **{c: [v] for c, v in rows.invoice(1).items()},
            "period_start": pa.array([datetime(2023, 12, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
            "period_end": pa.array([datetime(2023, 12, 31, 23, 59, 59)], pa.timestamp("ms")),
            "paid_at": pa.array([None], pa.timestamp("us", tz="UTC")),
            "amount_cents": pa.array([100000], pa.int64()),
            "quantity": pa.array([10.0], pa.float64()),  # pandas writes nullable integers as floats
            "churn_flag": pa.array([False]),
        }
    )
    pq.write_table(typed, folder / "stripe_billing_big.parquet")
    nested = rows.error(1)
    (folder / "sentry_errors_big.jsonl").write_text(
        json.dumps({**nested, "tags": {"request_id": "req_1"}, "group_count": 42}) + "\n"
    )

    report = load_directory(engine_settings, folder, progress=False)

    assert [t.table for t in report.tables] == [EVENTS.name, STRIPE_BILLING.name, SENTRY_ERRORS.name]
    assert report.rows_inserted == 3
    invoice = raw_rows(engine_settings, "stripe_billing_big")[0]
    assert invoice["period_start"] == "2023-12-01T00:00:00.000000Z"
    assert invoice["period_end"] == "2023-12-31T23:59:59.000000Z"
    assert invoice["paid_at"] is None
    assert (invoice["amount_cents"], invoice["quantity"], invoice["churn_flag"]) == ("100000", "10", "false")
    sentry = raw_rows(engine_settings, "sentry_errors_big")[0]
    assert json.loads(sentry["tags"]) == {"request_id": "req_1"}
    assert sentry["group_count"] == "42"
    assert sentry["created_at"] == "2023-12-01T13:01:23Z"


def test_loading_the_same_directory_twice_inserts_nothing_the_second_time(
    engine_settings: Settings, write_source: Any, rows: Any
) -> None:
    write_source("events_big", [rows.event(1), rows.event(2), rows.event(2)])
    path = write_source("sentry_errors_big", [rows.error(1)], "jsonl")

    first = load_directory(engine_settings, path.parent, progress=False)
    second = load_directory(engine_settings, path.parent, progress=False)

    assert (first.rows_read, first.rows_inserted, first.rows_skipped) == (4, 3, 1)  # a repeated row lands once
    assert (second.rows_read, second.rows_inserted, second.rows_skipped) == (4, 0, 4)
    assert counts(engine_settings) == {
        **dict.fromkeys(RAW_TABLES, 0),
        "events_big": 2,
        "sentry_errors_big": 1,
        "_loads": 4,
    }
    with open_warehouse(engine_settings) as wh:
        loads = wh.query(
            "select table_name, rows_read, rows_inserted, rows_skipped from raw._loads "
            "where load_id = ? order by table_name",
            [second.load_id],
        )
    assert loads == [("events_big", 3, 0, 3), ("sentry_errors_big", 1, 0, 1)]
    assert "events_big" in str(second) and "skipped" in str(second)


def test_an_overlapping_file_inserts_only_its_new_rows(
    engine_settings: Settings, write_source: Any, rows: Any, tmp_path: Path
) -> None:
    first = write_source("events_big", [rows.event(1), rows.event(2)], "csv", tmp_path / "day1")
    second = write_source("events_big", [rows.event(2), rows.event(3), rows.event(4)], "csv.gz", tmp_path / "day2")

    load_files(engine_settings, [first], progress=False)
    report = load_files(engine_settings, [second], progress=False)

    assert (report.rows_read, report.rows_inserted, report.rows_skipped) == (3, 2, 1)
    assert [r["event_id"] for r in raw_rows(engine_settings, "events_big")] == ["evt_1", "evt_2", "evt_3", "evt_4"]


def test_a_bad_timestamp_is_refused_with_file_row_column_and_nothing_changes(
    engine_settings: Settings, write_source: Any, rows: Any, tmp_path: Path
) -> None:
    load_directory(engine_settings, write_source("events_big", [rows.event(9)], "csv", tmp_path / "ok").parent)
    before = counts(engine_settings)
    folder = tmp_path / "broken"
    write_source("stripe_billing_big", [rows.invoice(1)], "csv", folder)  # valid, and would land first
    broken = [rows.event(1), rows.event(2), rows.event(3, occurred_at="yesterday-ish"), rows.event(4, inserted_at="x")]
    write_source("events_big", broken, "csv", folder)

    with pytest.raises(LoadError) as caught:
        load_directory(engine_settings, folder, progress=False)

    message = str(caught.value)
    assert "events_big.csv:row 3 column occurred_at: value 'yesterday-ish' is not a valid timestamp" in message
    assert "data row" in message
    assert (caught.value.row, caught.value.column, caught.value.value) == (3, "occurred_at", "yesterday-ish")
    assert counts(engine_settings) == before


@pytest.mark.parametrize(
    ("table", "overrides", "column", "problem"),
    [
        ("stripe_billing_big", {"amount_cents": "abc"}, "amount_cents", "is not a valid integer"),
        ("stripe_billing_big", {"quantity": "1.5"}, "quantity", "is not a valid integer"),
        ("stripe_billing_big", {"churn_flag": "maybe"}, "churn_flag", "is not a valid boolean"),
        ("sentry_errors_big", {"created_at": ""}, "created_at", "is empty, but the column is required"),
        ("events_big", {"event_id": " "}, "event_id", "is empty, but the column is required"),
        ("nps_responses", {"score": "11"}, "score", "is outside 0..10"),
        ("nps_responses", {"score": "-1"}, "score", "is outside 0..10"),
        ("nps_responses", {"score": "7.5"}, "score", "is not a valid integer"),
        ("nps_responses", {"score": ""}, "score", "is empty, but the column is required"),
        ("nps_responses", {"responded_at": "last week"}, "responded_at", "is not a valid timestamp"),
    ],
)
def test_bad_values_name_the_row_and_column(
    tmp_path: Path, write_source: Any, rows: Any, table: str, overrides: dict[str, str], column: str, problem: str
) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    make = rows.by_table[table]
    path = write_source(table, [make(1), make(2), make(3, **overrides), make(4, **overrides)], "jsonl")

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    message = str(caught.value)
    assert f"{path.name}:row 3 column {column}: value" in message
    assert problem in message
    assert "1 more rows fail this check" in message
    assert counts(settings)[table] == 0


def test_json_columns_are_never_refused(engine_settings: Settings, write_source: Any, rows: Any) -> None:
    path = write_source("sentry_errors_big", [rows.error(1, tags="{oops", contexts="[1, 2]")])
    assert load_directory(engine_settings, path.parent, progress=False).rows_inserted == 1
    landed = raw_rows(engine_settings, "sentry_errors_big")[0]
    assert (landed["tags"], landed["contexts"]) == ("{oops", "[1, 2]")  # only events' properties are rewritten


def test_a_failure_while_landing_rolls_back_every_table(
    engine_settings: Settings, write_source: Any, rows: Any
) -> None:
    columns = ", ".join(f"{c} text" for c in [*SENTRY_ERRORS.column_names, "_row_hash", "_loaded_at"])
    with open_warehouse(engine_settings) as wh:  # a sentry table that refuses the rows
        wh.execute("create schema if not exists raw")
        wh.execute(f"create table raw.sentry_errors_big ({columns}, check (level <> 'error'))")
    write_source("events_big", [rows.event(1)])
    path = write_source("sentry_errors_big", [rows.error(1)])

    with pytest.raises(LoadError) as caught:
        load_directory(engine_settings, path.parent, progress=False)

    assert "raw.sentry_errors_big" in str(caught.value)
    assert "nothing was written" in str(caught.value)
    assert counts(engine_settings) == {**dict.fromkeys(RAW_TABLES, 0), "_loads": 0}
    with open_warehouse(engine_settings) as wh:
        assert not [t for t in _raw_table_names(wh) if t.startswith("_scratch")]


def _raw_table_names(wh: Any) -> list[str]:
    return [r[0] for r in wh.query("select table_name from information_schema.tables where table_schema = 'raw'")]


def test_phi_outside_the_allowlist_never_reaches_a_raw_table(
    engine_settings: Settings, write_source: Any, rows: Any
) -> None:
    properties = {"patient_name": "Jane Doe", "note_text": "Pt. has diabetes", "note_id": "n1", "quality_score": 0.9}
    path = write_source("events_big", [rows.event(1, properties=json.dumps(properties))], "parquet")

    load_directory(engine_settings, path.parent, progress=False)

    stored = all_raw_text(engine_settings)
    for secret in ("patient_name", "Jane Doe", "note_text", "diabetes"):
        assert secret not in stored
    assert json.loads(raw_rows(engine_settings, "events_big")[0]["properties"]) == {
        "note_id": "n1",
        "quality_score": 0.9,
    }


def test_properties_are_reduced_to_the_configured_allowlist(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".v", property_allowlist=["length"])
    load_directory(settings, write_source("events_big", [rows.event(1)]).parent, progress=False)
    assert raw_rows(settings, "events_big")[0]["properties"] == '{"length":500}'


def test_invalid_or_non_object_properties_become_the_marker(
    engine_settings: Settings, write_source: Any, rows: Any
) -> None:
    values = ['{"note_id": "n1", "patient_name": "Jane', '"Jane Doe, 42, diabetic"', "[1]", "null", "", "{}"]
    path = write_source("events_big", [rows.event(i, properties=v) for i, v in enumerate(values)], "jsonl")

    load_directory(engine_settings, path.parent, progress=False)

    landed = {r["event_id"]: r["properties"] for r in raw_rows(engine_settings, "events_big")}
    assert [landed[f"evt_{i}"] for i in range(len(values))] == [
        INVALID_JSON_MARKER,
        INVALID_JSON_MARKER,
        INVALID_JSON_MARKER,
        None,
        "",
        "{}",
    ]


def test_missing_and_unexpected_columns_are_named(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    columns = [c for c in STRIPE_BILLING.column_names if c != "mrr_cents"] + ["coupon"]
    path = write_source("stripe_billing_big", [rows.invoice(1)], "csv", columns=columns)

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    message = str(caught.value)
    assert str(path) in message
    assert "missing column(s) mrr_cents" in message
    assert "unexpected column(s) coupon" in message
    assert not (tmp_path / "w.duckdb").exists()  # refused before the warehouse was opened


def test_header_case_and_column_order_do_not_matter(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    columns = list(reversed(SENTRY_ERRORS.column_names))
    path = write_source("sentry_errors_big", [rows.error(1)], "csv", columns=columns)
    path.write_text(path.read_text().replace("event_id", "Event_ID", 1))
    assert load_files(settings, [path], progress=False).rows_inserted == 1
    assert raw_rows(settings, "sentry_errors_big")[0]["event_id"] == "err_1"


def test_csv_rows_are_counted_as_data_rows_even_across_multiline_fields(
    tmp_path: Path, write_source: Any, rows: Any
) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    multiline = rows.event(1, device="line one\nline two")
    path = write_source("events_big", [multiline, rows.event(2, _ingest_ts="soon")])

    with pytest.raises(LoadError, match=r"events_big\.csv:row 2 column _ingest_ts: value 'soon'"):
        load_files(settings, [path], progress=False)


def test_directory_problems_are_explained(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a source")
    with pytest.raises(LoadError, match="no source files found"):
        load_directory(settings, empty, progress=False)
    with pytest.raises(LoadError, match="not a directory"):
        load_directory(settings, tmp_path / "absent", progress=False)

    twice = tmp_path / "twice"
    write_source("events_big", [rows.event(1)], "csv", twice)
    write_source("events_big", [rows.event(1)], "parquet", twice)
    with pytest.raises(LoadError, match="two files for raw table events_big"):
        load_directory(settings, twice, progress=False)

    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "events_big.xlsx").write_text("")
    with pytest.raises(LoadError, match="unsupported file format"):
        load_directory(settings, odd, progress=False)


def test_files_can_be_named_freely_through_a_mapping(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    path = write_source("events_big", [rows.event(1)], "ndjson").rename(tmp_path / "export-2024-01.ndjson")
    report = load_files(settings, {"events_big": path}, progress=False)
    assert (report.table("events_big").source, report.rows_inserted) == (str(path), 1)
    with pytest.raises(LoadError, match="which raw table"):
        load_files(settings, [path], progress=False)


def test_a_jsonl_line_that_is_not_an_object_is_refused(tmp_path: Path, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    path = tmp_path / "events_big.jsonl"
    path.write_text(json.dumps(rows.event(1)) + "\n" + "[1, 2]\n")
    with pytest.raises(LoadError, match=r"events_big\.jsonl:row 2: the record is not a JSON object"):
        load_files(settings, [path], progress=False)


def test_row_hash_in_python_matches_the_landed_hash(tmp_path: Path, write_source: Any, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    odd = rows.invoice(1, product="Plan|with:separators ~ é", currency=None, status="")
    load_files(settings, [write_source("stripe_billing_big", [odd], "parquet")], progress=False)
    landed = raw_rows(settings, "stripe_billing_big")[0]
    assert landed["_row_hash"] == row_hash([odd[c] for c in STRIPE_BILLING.column_names])
    assert row_hash(["a", None]) != row_hash(["a", ""]) != row_hash(["a|", ""])


def test_a_malformed_csv_line_is_named_without_echoing_its_content(
    tmp_path: Path, write_source: Any, rows: Any
) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    path = write_source("events_big", [rows.event(1)])
    with path.open("a") as handle:
        handle.write("evt_2,Jane Doe private note\r\n")

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    message = str(caught.value)
    assert f"{path}: cannot be read as csv" in message
    assert "Line: 3" in message and "Expected Number of Columns: 16 Found: 2" in message
    assert "Jane Doe" not in message


def test_semicolons_crlf_and_a_byte_order_mark_are_fine(tmp_path: Path, rows: Any) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    invoice = rows.invoice(1)
    lines = [";".join(invoice), ";".join(f'"{v}"' for v in invoice.values())]
    path = tmp_path / "stripe_billing_big.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))

    assert load_files(settings, [path], progress=False).rows_inserted == 1
    landed = raw_rows(settings, "stripe_billing_big")[0]
    assert {c: landed[c] for c in STRIPE_BILLING.column_names} == invoice


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_nps_responses_land_with_the_other_sources_and_only_once(
    engine_settings: Settings, write_source: Any, rows: Any, fmt: str
) -> None:
    write_source("events_big", [rows.event(1)], fmt)
    path = write_source("nps_responses", [rows.nps(1), rows.nps(10, score="10"), rows.nps(10, score="10")], fmt)

    first = load_directory(engine_settings, path.parent, progress=False)
    again = load_directory(engine_settings, path.parent, progress=False)

    assert (first.table("nps_responses").rows_read, first.table("nps_responses").rows_inserted) == (3, 2)
    assert again.table("nps_responses").rows_inserted == 0
    landed = raw_rows(engine_settings, "nps_responses")
    assert [(r["response_id"], r["score"]) for r in landed] == [("resp_1", "1"), ("resp_10", "10")]
    assert landed[0]["org_id"] == "550E8400-E29B-41D4-A716-446655440000", "raw keeps the id as sent"


def test_a_score_out_of_range_refuses_the_whole_directory(
    engine_settings: Settings, write_source: Any, rows: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "survey"
    write_source("events_big", [rows.event(1)], "csv", folder)  # valid, and would land first
    write_source("nps_responses", [rows.nps(1), rows.nps(2, score="12")], "csv", folder)

    with pytest.raises(LoadError) as caught:
        load_directory(engine_settings, folder, progress=False)

    assert "nps_responses.csv:row 2 column score: value '12' is outside 0..10" in str(caught.value)
    assert counts(engine_settings)["events_big"] == 0 and counts(engine_settings)["nps_responses"] == 0


class _FrozenClock(datetime):
    """``datetime`` whose ``now`` never moves (two loads within one microsecond)."""

    @classmethod
    def now(cls, tz: Any = None) -> _FrozenClock:  # type: ignore[override]
        return cls(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_each_load_stamps_one_loaded_at_strictly_after_every_earlier_load(
    engine_settings: Settings,
    write_source: Any,
    rows: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    monkeypatch.setattr(landing, "datetime", _FrozenClock)
    batches = [[rows.event(1), rows.event(2)], [rows.event(3)], [rows.event(4), rows.event(5), rows.event(6)]]
    stamps: list[set[str]] = []
    for number, batch in enumerate(batches):
        monkeypatch.setattr(landing, "_last_now", None)  # as if each load were its own process
        path = write_source("events_big", batch, fmt, tmp_path / f"load{number}")
        load_files(engine_settings, [path], progress=False)
        landed = raw_rows(engine_settings, "events_big")
        ids = {r["event_id"] for r in batch}
        stamps.append({r["_loaded_at"] for r in landed if r["event_id"] in ids})

    assert [len(s) for s in stamps] == [1, 1, 1]  # every row of one load carries that load's stamp
    ordered = [next(iter(s)) for s in stamps]
    assert ordered[0] < ordered[1] < ordered[2]
    assert ordered[0] == "2030-01-01T12:00:00.000000Z"


def test_utc_now_text_never_repeats_or_goes_back_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landing, "datetime", _FrozenClock)
    monkeypatch.setattr(landing, "_last_now", None)
    seen = [landing.utc_now_text() for _ in range(3)]
    assert seen == sorted(set(seen)) and len(seen) == 3


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_first_bad_row_of_a_large_file_is_named_by_its_place_in_the_file(
    tmp_path: Path, write_source: Any, rows: Any, fmt: str
) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    good = rows.event(1)
    many = [{**good, "event_id": f"evt_{n}"} for n in range(300_000)]  # many row groups, read in parallel
    many[250_000] = {**many[250_000], "inserted_at": "not a time"}
    many[280_000] = {**many[280_000], "occurred_at": "later"}
    path = write_source("events_big", many, fmt)

    with pytest.raises(LoadError) as caught:
        load_files(settings, [path], progress=False)

    assert f"{path.name}:row 250001 column inserted_at: value 'not a time'" in str(caught.value)
    assert counts(settings)["events_big"] == 0
