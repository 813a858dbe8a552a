"""Flattened Sentry rows read by the (unchanged) staging model ``stg_sentry__errors`` on DuckDB and PostgreSQL:
the org from the tag or the project map, the request and note tags, UTC times, one row per error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.sentry import sentry_data as d
from vitals.config import Settings
from vitals.sentry.flatten import flatten
from vitals.sentry.payloads import parse_delivery
from vitals.sentry.settings import sentry_settings
from vitals.sentry.store import ensure_tables, store_api_events, store_delivery
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
AS_OF = datetime(2026, 11, 2, 12, 0, 0)
REQUEST_EVENT = "c0ffee00c0ffee00c0ffee00c0ffee00"


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    dsn = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    return d.make_settings(tmp_path, request.param, dsn, project_org_map={"front-end": d.OA})


def store(settings: Settings, resource: str, payload: dict[str, Any]) -> None:
    with open_warehouse(settings) as warehouse:
        ensure_tables(warehouse)
        store_delivery(warehouse, d.body_of(payload), parse_delivery(resource, payload), None, None)


def test_flattened_errors_in_staging(settings: Settings) -> None:
    tags = [["request_id", "REQ-1"], ["note_id", "N-1"], ["org_id", d.OB.upper()], ["provider_id", d.PA]]
    store(settings, "issue", d.issue("created", count="4"))
    store(settings, "error", d.ERROR_CREATED)
    store(settings, "event_alert", d.EVENT_ALERT)
    store(settings, "event_alert", d.event_alert(d.ERROR_CREATED["data"]["error"]["event_id"]))  # same error again
    store(
        settings,
        "error",
        d.error_created(REQUEST_EVENT, tags=tags, level="fatal", datetime="2026-01-05T09:30:00+01:00"),
    )
    with open_warehouse(settings) as warehouse:
        store_api_events(warehouse, [d.rest_event("a" * 32, "2026-02-01T00:00:00Z")], "backend")
        flatten(warehouse, sentry_settings(settings))
    build(settings, as_of=AS_OF, full_refresh=True, select="stg_sentry__errors")
    with open_warehouse(settings) as warehouse:
        found = warehouse.query(
            "select error_id, org_id, provider_id, project, level, tag_request_id, tag_note_id, group_count, "
            "cast(created_at as varchar), ingest_source, has_invalid_ids, has_invalid_tags "
            "from staging.stg_sentry__errors order by created_at"
        )
    assert [tuple(str(v) if v is not None else None for v in row) for row in found] == [
        ("bb78c1407cea4519aa397afc059c793d", d.OA, None, "front-end", "error", None, None, "4",
         "2019-08-19 20:58:37.391", "sentry_webhook", "False", "False"),
        ("e4874d664c3540c1a32eab185f12c5ab", d.OA, None, "front-end", "error", None, None, None,
         "2019-08-19 21:06:17.677", "sentry_webhook", "False", "False"),
        (REQUEST_EVENT, d.OB, d.PA, "front-end", "fatal", "req-1", "n-1", "4",
         "2026-01-05 08:30:00", "sentry_webhook", "False", "False"),
        ("a" * 32, None, None, "backend", "fatal", None, None, None,
         "2026-02-01 00:00:00", "sentry_api", "False", "False"),
    ]  # fmt: skip
