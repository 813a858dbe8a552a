"""Settings that change what the models compute: event name mapping, property allowlist, as-of time.

Each scenario is one build per engine on a small warehouse of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.transform.transform_dataset import (
    OA,
    P1,
    RICH_ERRORS,
    RICH_EVENTS,
    RICH_INVOICES,
    engine_warehouse,
    event,
    land,
    query,
)
from vitals.config import DEFAULT_PROPERTY_ALLOWLIST, Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", "postgres"]

CUSTOM_NAMES = {
    "note_submit": ["NoteCreated", "note_created"],
    "summarize_success": ["summary_ready"],
}
ALLOWLIST_WITHOUT_QUALITY = [key for key in DEFAULT_PROPERTY_ALLOWLIST if key != "quality_score"]

CUSTOM_EVENTS = [
    # the app's own names: 'NoteCreated' (any case) starts a job, 'summary_ready' completes it
    event("c1", "NoteCreated", "2026-05-01 10:00:00", provider=P1, props={"note_id": "N-1"}),
    event(
        "c2",
        "summary_ready",
        "2026-05-01 10:01:00",
        provider=P1,
        props={"note_id": "N-1", "quality_score": 0.9, "client_release": "r1"},
    ),
    # 'note_submit' is mapped away by the configuration: it starts no job
    event("c3", "note_submit", "2026-05-01 11:00:00", provider=P1, props={"note_id": "N-2"}),
    event("c4", "summarize_success", "2026-05-01 11:01:00", provider=P1, props={"note_id": "N-2"}),
    # an unmapped, non-canonical name is kept as sent
    event("c5", "Settings_Opened", "2026-05-01 12:00:00", provider=P1),
]


@pytest.fixture(scope="module", params=ENGINES)
def custom(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory = tmp_path_factory.mktemp(f"custom-{request.param}")
    with engine_warehouse(
        request.param,
        directory,
        event_names=CUSTOM_NAMES,
        property_allowlist=ALLOWLIST_WITHOUT_QUALITY,
    ) as settings:
        land(settings, CUSTOM_EVENTS, [], [])
        build(settings, as_of=datetime(2026, 5, 2))
        yield settings


def test_custom_event_names(custom: Settings) -> None:
    events = {
        row["event_id"]: row
        for row in query(custom, "select event_id, event_name, app_event_name from staging.stg_app__events")
    }
    assert events["c1"] == {"event_id": "c1", "event_name": "note_submit", "app_event_name": "notecreated"}
    assert events["c2"]["event_name"] == "summarize_success"
    assert events["c3"] == {"event_id": "c3", "event_name": None, "app_event_name": "note_submit"}
    assert events["c5"]["event_name"] == "settings_opened"
    jobs = query(custom, "select job_id, status, org_id, client_release from {core}.summarization_jobs")
    # only n-1: c3's note_submit is no longer a job start
    assert jobs == [{"job_id": "n-1", "status": "success", "org_id": OA, "client_release": "r1"}]


def test_property_allowlist_drops_quality_score(custom: Settings) -> None:
    jobs = query(custom, "select quality_score from {core}.summarization_jobs")
    assert jobs == [{"quality_score": None}]  # the success event sent 0.9: not allowlisted
    staged = query(custom, "select quality_score from staging.stg_app__events where event_id = 'c2'")
    assert staged == [{"quality_score": None}]


@pytest.fixture(scope="module", params=ENGINES)
def earlier(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The rich dataset built 90 minutes before the main build's as-of time."""
    directory = tmp_path_factory.mktemp(f"earlier-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land(settings, RICH_EVENTS, RICH_INVOICES, RICH_ERRORS)
        build(settings, as_of=datetime(2026, 11, 2, 10, 30))
        yield settings


def test_earlier_as_of_sees_less(earlier: Settings) -> None:
    jobs: dict[str, Any] = {
        row["job_id"]: row
        for row in query(earlier, "select job_id, error_level, failed_at from {core}.summarization_jobs")
    }
    # n-5 (09:00) timed out at 10:00 <= 10:30; n-9 (11:00) and n-6 (11:30) have not happened yet
    assert jobs["n-5"] == {"job_id": "n-5", "error_level": "timeout", "failed_at": datetime(2026, 11, 2, 10)}
    assert "n-9" not in jobs and "n-6" not in jobs
    health = {
        row["source_table"]: row
        for row in query(earlier, "select source_table, rows_raw, newest_at, freshness_lag_sec from {core}.data_health")
    }
    # e44 (11:00) and e25 (11:30) are now in the future too: 45 - 2 raw rows; newest is e24 (09:00)
    assert health["events_big"] == {
        "source_table": "events_big",
        "rows_raw": 43,
        "newest_at": datetime(2026, 11, 2, 9),
        "freshness_lag_sec": 90 * 60,
    }
    last_seen = query(earlier, f"select last_seen_at from {{core}}.providers where provider_id = '{P1}'")
    assert last_seen == [{"last_seen_at": datetime(2026, 11, 2, 9)}]
