"""Incremental pulls from the app's PostgreSQL: each row once, cursor persisted, overlap catches late rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from vitals.config import Settings
from vitals.contracts import EVENTS
from vitals.ingest.errors import LoadError
from vitals.ingest.landing import saved_cursor
from vitals.ingest.postgres import ingest_postgres, source_key
from vitals.warehouse import open_warehouse

pytestmark = pytest.mark.postgres

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

TYPED_TABLE = """
create table events_big (
  event_id text primary key, org_id uuid, provider_id uuid, user_id uuid,
  occurred_at timestamptz not null, event_name text, session_id text, request_id text,
  source text, endpoint text, device text, geo_country text, properties jsonb,
  inserted_at timestamptz, _ingest_source text, _ingest_ts timestamptz, app_internal_id serial
)
"""

TEXT_TABLE = "create table app.events_big ({})".format(", ".join(f"{c} text" for c in EVENTS.column_names))


def app_event(n: int, ingested: datetime) -> dict[str, Any]:
    """One app event ingested at ``ingested`` (its occurred_at a second earlier)."""
    return {
        "event_id": f"evt_{n}",
        "org_id": "550e8400-e29b-41d4-a716-446655440000",
        "provider_id": None,
        "user_id": None,
        "occurred_at": ingested - timedelta(seconds=1),
        "event_name": "note_submit",
        "session_id": "sess_1",
        "request_id": f"req_{n}",
        "source": "app",
        "endpoint": "/api/v1/notes",
        "device": "Chrome",
        "geo_country": "US",
        "properties": json.dumps({"note_id": f"n{n}", "patient_name": "Jane Doe"}),
        "inserted_at": ingested,
        "_ingest_source": "app_db",
        "_ingest_ts": ingested,
    }


def insert(dsn: str, table: str, events: list[dict[str, Any]]) -> None:
    columns = EVENTS.column_names
    with psycopg.connect(dsn) as con:
        con.execute("set time zone 'UTC'")
        for event in events:
            values = [event[c] for c in columns]
            if table.startswith("app."):  # the text-typed table gets the app's own text rendering
                values = [v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in values]
            con.execute(
                f"insert into {table} ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})", values
            )


def landed_event_ids(settings: Settings) -> list[str]:
    with open_warehouse(settings) as wh:
        return [r[0] for r in wh.query("select event_id from raw.events_big order by event_id")]


def settings_with_small_batches(settings: Settings) -> Settings:
    return settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"batch_rows": 2})})


@pytest.mark.parametrize(
    ("table", "ddl"),
    [
        ("events_big", TYPED_TABLE),
        ("events_big", TYPED_TABLE.replace("timestamptz", "timestamp")),  # timestamps without zone: UTC
        ("app.events_big", TEXT_TABLE),
    ],
    ids=["timestamptz", "timestamp", "text"],
)
def test_incremental_pull_lands_each_row_once_and_advances_the_cursor(
    engine_settings: Settings, app_dsn: str, table: str, ddl: str
) -> None:
    settings = settings_with_small_batches(engine_settings)
    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute("create schema app")
        con.execute(ddl)
    insert(app_dsn, table, [app_event(n, T0 + timedelta(minutes=n)) for n in range(1, 4)])
    source = source_key(app_dsn, table)

    first = ingest_postgres(settings, app_dsn, table=table, progress=False)

    assert (first.rows_read, first.rows_inserted) == (3, 3)
    with open_warehouse(settings) as wh:
        assert saved_cursor(wh, source, "_ingest_ts") == "2024-03-01T12:03:00.000000Z"

    late = app_event(9, T0 + timedelta(minutes=3) - timedelta(minutes=5))  # committed late, within the overlap
    insert(app_dsn, table, [app_event(4, T0 + timedelta(minutes=4)), app_event(5, T0 + timedelta(minutes=5)), late])

    second = ingest_postgres(settings, app_dsn, table=table, progress=False)

    # the overlap (10 min before 12:03) re-reads evt_1..3, which are skipped by their hash
    assert (second.rows_read, second.rows_inserted, second.rows_skipped) == (6, 3, 3)
    assert landed_event_ids(settings) == ["evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_9"]
    with open_warehouse(settings) as wh:
        assert saved_cursor(wh, source, "_ingest_ts") == "2024-03-01T12:05:00.000000Z"
        loads = wh.query("select count(*), sum(rows_inserted) from raw._loads where source = ?", [source])
    assert loads == [(5, 6)]  # one record per batch of 2 rows

    third = ingest_postgres(settings, app_dsn, table=table, progress=False)

    assert third.rows_inserted == 0
    assert len(landed_event_ids(settings)) == 6


def test_typed_source_values_become_raw_text_without_phi(engine_settings: Settings, app_dsn: str) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute(TYPED_TABLE)
    insert(app_dsn, "events_big", [app_event(1, datetime(2024, 3, 1, 13, 0, 0, 250000, tzinfo=UTC))])

    report = ingest_postgres(engine_settings, app_dsn, progress=False)

    with open_warehouse(engine_settings) as wh:
        row = wh.query("select org_id, occurred_at, properties, _ingest_ts from raw.events_big")[0]
        everything = repr([wh.query(f"select * from raw.{t}") for t in ("events_big", "_loads", "_cursors")])
    assert row == (
        "550e8400-e29b-41d4-a716-446655440000",
        "2024-03-01T12:59:59.250000Z",
        '{"note_id":"n1"}',
        "2024-03-01T13:00:00.250000Z",
    )
    assert "patient_name" not in everything and "Jane Doe" not in everything
    assert "s3cret-app-pw" not in everything + str(report)
    assert "app_internal_id" in str(report)  # extra source columns are named, not silently dropped


def test_source_problems_are_clear_and_keep_the_password_out(tmp_path: Any, app_dsn: str) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / ".vitals")
    with pytest.raises(LoadError) as missing:
        ingest_postgres(settings, app_dsn, table="nope", progress=False)
    assert "table nope not found" in str(missing.value)

    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute("create table events_big (event_id text, _ingest_ts timestamptz)")
    with pytest.raises(LoadError, match="missing column"):
        ingest_postgres(settings, app_dsn, progress=False)

    wrong_port = app_dsn + " port=1"
    with pytest.raises(LoadError) as unreachable:
        ingest_postgres(settings, wrong_port, progress=False)
    assert "cannot connect" in str(unreachable.value)
    for error in (missing.value, unreachable.value):
        assert "s3cret-app-pw" not in str(error)
    assert "s3cret" not in source_key(app_dsn, "events_big")


def test_a_bad_source_row_stops_the_pull_at_its_batch(engine_settings: Settings, app_dsn: str) -> None:
    settings = settings_with_small_batches(engine_settings)
    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute("create schema app")
        con.execute(TEXT_TABLE)
    events = [app_event(n, T0 + timedelta(minutes=n)) for n in range(1, 5)]
    events[2]["occurred_at"] = "not a time"
    insert(app_dsn, "app.events_big", events)

    with pytest.raises(LoadError) as caught:
        ingest_postgres(settings, app_dsn, table="app.events_big", progress=False)

    message = str(caught.value)
    assert (
        "/app.events_big: event_id 'evt_3' column occurred_at: value 'not a time' is not a valid timestamp" in message
    )
    assert "s3cret" not in message
    assert landed_event_ids(settings) == ["evt_1", "evt_2"]  # the first batch landed with its cursor
    with open_warehouse(settings) as wh:
        assert saved_cursor(wh, source_key(app_dsn, "app.events_big"), "_ingest_ts") == "2024-03-01T12:02:00.000000Z"


NPS_TABLE = """
create table survey_answers (
  response_id text primary key, org_id uuid, provider_id uuid, user_id text, score smallint not null,
  comment text, responded_at timestamptz not null, updated_at timestamptz not null
)
"""


def insert_answers(dsn: str, answers: list[tuple[str, int, datetime]]) -> None:
    with psycopg.connect(dsn) as con:
        for response_id, score, at in answers:
            con.execute(
                "insert into survey_answers values (%s, '550e8400-e29b-41d4-a716-446655440000', null, 'u1', %s, "
                "null, %s, %s)",
                [response_id, score, at, at],
            )


def test_nps_responses_are_pulled_incrementally_into_their_contract(engine_settings: Settings, app_dsn: str) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute(NPS_TABLE)
    insert_answers(app_dsn, [("r1", 10, T0), ("r2", 3, T0 + timedelta(minutes=1))])
    pull = {"table": "survey_answers", "cursor_column": "updated_at", "into": "nps_responses", "progress": False}

    first = ingest_postgres(engine_settings, app_dsn, **pull)  # type: ignore[arg-type]
    insert_answers(app_dsn, [("r3", 8, T0 + timedelta(minutes=30))])
    second = ingest_postgres(engine_settings, app_dsn, **pull)  # type: ignore[arg-type]

    assert (first.rows_inserted, second.rows_inserted) == (2, 1)
    assert "updated_at" in str(first), "the cursor column outside the contract is named, not loaded"
    with open_warehouse(engine_settings) as wh:
        landed = wh.query("select response_id, score, responded_at from raw.nps_responses order by response_id")
    assert landed == [
        ("r1", "10", "2024-03-01T12:00:00.000000Z"),
        ("r2", "3", "2024-03-01T12:01:00.000000Z"),
        ("r3", "8", "2024-03-01T12:30:00.000000Z"),
    ]


def test_a_pulled_score_out_of_range_is_refused(engine_settings: Settings, app_dsn: str) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as con:
        con.execute(NPS_TABLE)
    insert_answers(app_dsn, [("r1", 10, T0), ("r2", 42, T0 + timedelta(minutes=1))])

    with pytest.raises(LoadError) as caught:
        ingest_postgres(
            engine_settings,
            app_dsn,
            table="survey_answers",
            cursor_column="updated_at",
            into="nps_responses",
            progress=False,
        )

    assert "response_id 'r2' column score: value '42' is outside 0..10" in str(caught.value)
    with open_warehouse(engine_settings) as wh:
        assert wh.query("select count(*) from raw.nps_responses") == [(0,)]
