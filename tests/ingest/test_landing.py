"""The engine-neutral landing: exact text round trip, hash dedupe, load and cursor state."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from vitals.config import PostgresSettings, Settings
from vitals.contracts import SENTRY_ERRORS
from vitals.ingest.landing import land_batches, landed_columns, save_cursor, saved_cursor, transaction
from vitals.ingest.sanitize import row_hash
from vitals.warehouse import open_warehouse

AWKWARD = ['say "hi", then\nleave', "", None, "back\\slash", "\\N", "NULL", "é😀", " padded ", "a\tb", "\r\n"]


def sentry_batch(values: list[str | None]) -> pa.RecordBatch:
    """Sentry rows whose ``message`` holds each value, hashed as the loaders hash them."""
    names = SENTRY_ERRORS.column_names
    rows = [{c: (v if c == "message" else f"{c}-{i}") for c in names} for i, v in enumerate(values)]
    columns = {c: [r[c] for r in rows] for c in names}
    columns["_row_hash"] = [row_hash([r[c] for c in names]) for r in rows]
    columns["_loaded_at"] = ["2024-01-01T00:00:00.000000Z"] * len(rows)
    return pa.RecordBatch.from_pydict({c: pa.array(columns[c], pa.string()) for c in landed_columns(SENTRY_ERRORS)})


def test_text_lands_exactly_and_only_once(engine_settings: Settings) -> None:
    with open_warehouse(engine_settings) as wh:
        wh.ensure_raw_tables()
        with transaction(wh):
            everything = sentry_batch(AWKWARD)
            first = land_batches(wh, SENTRY_ERRORS, [everything.slice(0, 4), everything.slice(4)])
        with transaction(wh):
            again = land_batches(wh, SENTRY_ERRORS, [sentry_batch(AWKWARD)])
        stored = wh.query("select event_id, message from raw.sentry_errors_big")

    assert (first, again) == (len(AWKWARD), 0)
    assert sorted(stored, key=lambda r: r[0]) == sorted(
        [(f"event_id-{i}", v) for i, v in enumerate(AWKWARD)], key=lambda r: r[0]
    )


def test_a_rolled_back_landing_leaves_nothing(engine_settings: Settings) -> None:
    with open_warehouse(engine_settings) as wh:
        wh.ensure_raw_tables()
        with pytest.raises(RuntimeError), transaction(wh):
            land_batches(wh, SENTRY_ERRORS, [sentry_batch(["x"])])
            raise RuntimeError("boom")
        assert wh.query("select count(*) from raw.sentry_errors_big") == [(0,)]


def test_the_cursor_is_the_greatest_saved_value(engine_settings: Settings) -> None:
    with open_warehouse(engine_settings) as wh:
        wh.ensure_raw_tables()
        assert saved_cursor(wh, "postgres://h:5432/app/events_big", "_ingest_ts") is None
        for value in ("2024-03-01T12:00:00.000000Z", "2024-03-01T12:05:00.000000Z"):
            save_cursor(wh, "postgres://h:5432/app/events_big", "_ingest_ts", value)
        save_cursor(wh, "postgres://h:5432/app/events_big", "inserted_at", "2030-01-01T00:00:00.000000Z")
        assert saved_cursor(wh, "postgres://h:5432/app/events_big", "_ingest_ts") == "2024-03-01T12:05:00.000000Z"


@pytest.mark.postgres
def test_postgres_copy_takes_typed_and_nested_arrow_columns(pg_database: str) -> None:
    settings = Settings(engine="postgres", postgres=PostgresSettings(dsn=pg_database))
    with open_warehouse(settings) as wh:
        wh.execute("create table public.typed (n bigint, at timestamptz, ok boolean, tags text[])")
        wh.append_arrow(
            "public",
            "typed",
            pa.table({"n": [1, None], "at": [datetime(2024, 1, 1, tzinfo=UTC), None], "ok": [True, None]}),
        )
        wh.append_arrow("public", "typed", pa.table({"n": [3], "tags": [["a", "b,c"]]}))  # row by row
        rows = wh.query("select n, at, ok, tags from public.typed order by n nulls last")
    assert rows == [
        (1, datetime(2024, 1, 1, tzinfo=UTC), True, None),
        (3, None, None, ["a", "b,c"]),
        (None, None, None, None),
    ]
