"""The core model on a hand-built dataset, once per engine (DuckDB, PostgreSQL).

One build per engine (module-scoped) at AS_OF = 2026-11-02 12:00 UTC; every expected row below is
computed by hand from the raw rows in ``transform_dataset.py``, with the reasoning in comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.transform.transform_dataset import (
    AS_OF,
    OA,
    OB,
    OC,
    OD,
    P1,
    P2,
    P3,
    PATIENT_NAME,
    RICH_ERRORS,
    RICH_EVENTS,
    RICH_INVOICES,
    engine_warehouse,
    land,
    query,
)
from vitals.config import Settings
from vitals.warehouse.dbt import BuildResult, build

ENGINES = ["duckdb", "postgres"]
CORE_TABLES = ["organizations", "providers", "summarization_jobs", "sessions", "data_health"]


@dataclass
class Built:
    """A warehouse holding the rich dataset, built as of AS_OF."""

    settings: Settings
    result: BuildResult
    progress: list[tuple[str, str, float]]


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    directory: Path = tmp_path_factory.mktemp(f"core-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land(settings, RICH_EVENTS, RICH_INVOICES, RICH_ERRORS)
        progress: list[tuple[str, str, float]] = []
        result = build(settings, as_of=AS_OF, on_node=lambda *args: progress.append(args), tests=True)
        yield Built(settings, result, progress)


def rows(built: Built, sql: str) -> list[dict[str, Any]]:
    return query(built.settings, sql)


def by_key(table: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in table}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --------------------------------------------------------------------------- the build itself


def test_build_reports_every_model_and_test(built: Built) -> None:
    result = built.result
    assert result.success
    assert result.as_of == AS_OF
    names = {n.name for n in result.nodes}
    assert set(CORE_TABLES) <= names
    assert {"stg_app__events", "stg_stripe__invoices", "stg_sentry__errors", "int_jobs_derived"} <= names
    assert {"int_jobs_derived_outcomes", "sessions_success_and_error_windows"} <= names  # unit tests
    assert {"assert_timestamp_macros", "assert_value_macros"} <= names  # portability checks
    assert not result.failures()
    # the progress callback saw every model and test as it finished (hooks are not nodes)
    assert {name for name, _, _ in built.progress} == {n.name for n in result.nodes if n.resource_type != "operation"}


# --------------------------------------------------------------------------- organizations


def test_organizations(built: Built) -> None:
    orgs = by_key(rows(built, "select * from {core}.organizations"), "org_id")
    assert set(orgs) == {OA, OB, OC, OD}  # 'acme-inc' and 'acme' are not UUIDs: no org

    # A: id landed uppercase with spaces; name from the first org_created (not the later
    # org_signup 'Acme Renamed'); in_A3 (Oct 20) is the latest by period start but void, so
    # plan/seats/customer come from in_A2 (Oct 15, 12 seats); in_A2 landed open then paid: paid
    # wins and covers Nov 2 -> 60000; in_A4 starts after as-of and is invisible.
    assert orgs[OA] == {
        "org_id": OA,
        "org_name": "Acme Medical",
        "stripe_customer_id": "cus_A",
        "current_plan": "Pro",
        "seats_purchased": 12,
        "mrr_cents": 60000,
        "is_active": True,
        "first_seen_at": ts("2026-03-01 16:00:00"),  # e01
        "last_seen_at": ts("2026-11-02 11:30:00"),  # e25 (e42, e43 are after as-of)
    }
    # B: its org_created has no org_name -> the id; churn_flag invoice Oct 10 - Nov 10 still
    # counts on Nov 2.
    assert orgs[OB] == {
        "org_id": OB,
        "org_name": OB,
        "stripe_customer_id": "cus_B",
        "current_plan": "Starter",
        "seats_purchased": 3,
        "mrr_cents": 30000,
        "is_active": True,
        "first_seen_at": ts("2026-10-01 00:00:00"),  # e33
        "last_seen_at": ts("2026-11-01 09:30:00"),  # e30, written with +00:00
    }
    # C: known from billing only; its churned invoice ended Oct 1 -> no MRR, inactive.
    assert orgs[OC] == {
        "org_id": OC,
        "org_name": OC,
        "stripe_customer_id": "cus_C",
        "current_plan": "Basic",
        "seats_purchased": 2,
        "mrr_cents": 0,
        "is_active": False,
        "first_seen_at": None,
        "last_seen_at": None,
    }
    # D: the uncollectible invoice ended Oct 20; the open one (mrr '15000.0') covers Nov 2.
    assert orgs[OD] == {
        "org_id": OD,
        "org_name": OD,
        "stripe_customer_id": "cus_D",
        "current_plan": "Basic",
        "seats_purchased": 1,
        "mrr_cents": 15000,
        "is_active": True,
        "first_seen_at": None,
        "last_seen_at": None,
    }


# --------------------------------------------------------------------------- providers


def test_providers(built: Built) -> None:
    providers = by_key(rows(built, "select * from {core}.providers"), "provider_id")
    assert set(providers) == {P1, P2, P3}  # 'not-a-provider' is not a UUID
    # P1: first event e03 (id uppercase) in org A; role from the first provider_created
    # ('Doctor', not the later 'admin'); latest event e25; latest event with a device is e44.
    assert providers[P1] == {
        "provider_id": P1,
        "org_id": OA,
        "role": "doctor",
        "first_seen_at": ts("2026-03-01 17:00:00"),
        "last_seen_at": ts("2026-11-02 11:30:00"),
        "last_device": "Edge/Windows",
        "last_geo_country": "DE",
    }
    # P2: its first event (e41) names no org; the first with a valid org is e15 (org A).
    assert providers[P2] == {
        "provider_id": P2,
        "org_id": OA,
        "role": "nurse",
        "first_seen_at": ts("2026-05-01 09:00:00"),
        "last_seen_at": ts("2026-05-04 14:01:00"),  # e16 (e17 has provider '')
        "last_device": "Firefox/Linux",
        "last_geo_country": "FR",
    }
    # P3: no provider_created -> no role.
    assert providers[P3] == {
        "provider_id": P3,
        "org_id": OB,
        "role": None,
        "first_seen_at": ts("2026-10-20 10:00:00"),
        "last_seen_at": ts("2026-11-01 09:30:00"),
        "last_device": "iPad",
        "last_geo_country": "US",
    }


# --------------------------------------------------------------------------- summarization_jobs

JOB_DEFAULTS: dict[str, Any] = {
    "org_id": OA,
    "provider_id": P1,
    "request_id": None,
    "session_id": None,
    "feature": "note",
    "completed_at": None,
    "failed_at": None,
    "duration_ms": None,
    "summarize_ms": None,
    "patient_status": None,
    "source": "app",
    "endpoint": None,
    "client_release": None,
    "error_group_id": None,
    "error_level": None,
    "quality_score": None,
    "hard_error": None,
}


def job(job_id: str, **values: Any) -> dict[str, Any]:
    return {**JOB_DEFAULTS, "job_id": job_id, "note_id": job_id, **values}


EXPECTED_JOBS = [
    # submitted 09:50 UTC (01:50 PST), completed 10:05:30.250 UTC (03:05 PDT, after the spring
    # forward): 15 min 30.25 s = 930250 ms; summarize_start 09:51 -> 870250 ms; note_review
    # 10:10 then note_locked 10:20 -> Locked; feature from the first ingested copy of e06.
    job(
        "n-1",
        request_id="req-1",
        session_id="s-1",
        status="success",
        feature="auto_coding",
        created_at=ts("2026-03-08 09:50:00"),
        completed_at=ts("2026-03-08 10:05:30.250"),
        duration_ms=930250,
        summarize_ms=870250,
        patient_status="Locked",
        endpoint="/api/v1/notes",
        client_release="web-2.3.1",
        quality_score=0.93,
        hard_error=False,
    ),
    # no note_id -> the request id is the job id; the first of two successes (15:00:40) wins
    job(
        "req-2",
        note_id=None,
        request_id="req-2",
        session_id="s-2",
        status="success",
        created_at=ts("2026-04-01 15:00:00"),
        completed_at=ts("2026-04-01 15:00:40"),
        duration_ms=40000,
        quality_score=0.5,
        hard_error=True,
    ),
    # no summarize_failed; the Sentry error s01 (14:03) tagged REQ-3 makes it an error; the
    # warning s02 and the earlier error s03 do not count; release from the Sentry error
    job(
        "n-3",
        provider_id=P2,
        request_id="req-3",
        session_id="s-3",
        status="error",
        created_at=ts("2026-05-04 14:01:00"),
        failed_at=ts("2026-05-04 14:03:00"),
        client_release="web-2.4.0",
        error_group_id="grp-1",
        error_level="error",
    ),
    # summarize_failed at 18:01 is earlier than the Sentry fatal at 18:03 (tags as pairs)
    job(
        "n-4",
        request_id="req-4",
        session_id="s-4",
        status="error",
        created_at=ts("2026-06-10 18:00:00"),
        failed_at=ts("2026-06-10 18:01:00"),
        client_release="web-2.5.0",
        error_group_id="grp-2",
        error_level="fatal",
    ),
    # nothing within 60 minutes of 09:00 (its success at 12:10 is after as-of) -> timeout at 10:00
    job(
        "n-5",
        session_id="s-5",
        status="error",
        created_at=ts("2026-11-02 09:00:00"),
        failed_at=ts("2026-11-02 10:00:00"),
        error_level="timeout",
    ),
    # note_locked 14:06 then note_review 14:07 -> Review (latest wins)
    job(
        "n-7",
        session_id="s-7",
        status="success",
        created_at=ts("2026-05-04 14:02:00"),
        completed_at=ts("2026-05-04 14:05:00"),
        duration_ms=180000,
        patient_status="Review",
    ),
    # 11:00 + 60 min = 12:00 = as-of: the timeout has passed (inclusive)
    job(
        "n-9",
        status="error",
        created_at=ts("2026-11-02 11:00:00"),
        failed_at=ts("2026-11-02 12:00:00"),
        error_level="timeout",
    ),
    # submitted 08:50Z (01:50 PDT), success written as 01:20-08:00 (PST, after the fall back)
    # = 09:20 UTC: 30 minutes
    job(
        "n-10",
        org_id=OB,
        provider_id=P3,
        session_id="s-9",
        status="success",
        created_at=ts("2026-11-01 08:50:00"),
        completed_at=ts("2026-11-01 09:20:00"),
        duration_ms=1_800_000,
        client_release="ios-1.0",
    ),
]


def test_summarization_jobs(built: Built) -> None:
    actual = by_key(rows(built, "select * from {core}.summarization_jobs"), "job_id")
    expected = by_key(EXPECTED_JOBS, "job_id")
    # n-6 is pending (30 minutes old); n-8's org 'acme-inc' is not a UUID: both absent
    assert sorted(actual) == sorted(expected)
    for job_id, row in expected.items():
        assert actual[job_id] == row, job_id


# --------------------------------------------------------------------------- sessions


def session(org_id: str, session_id: str, **values: Any) -> dict[str, Any]:
    base = {"org_id": org_id, "session_id": session_id, "provider_id": P1, "has_error": False}
    return {**base, **values}


EXPECTED_SESSIONS = [
    # e05, e06, e09: 09:45 PST .. 10:12 UTC (03:12 PDT) is 27 minutes in UTC; n-1 (P1) completed
    # at 10:05:30 inside
    session(
        OA,
        "s-1",
        started_at=ts("2026-03-08 09:45:00"),
        ended_at=ts("2026-03-08 10:12:00"),
        duration_sec=1620,
        events_count=3,
        is_bounce=False,
        has_success=True,
    ),
    # one event: a bounce; req-2 completed 40 s after the session's only event
    session(
        OA,
        "s-2",
        started_at=ts("2026-04-01 15:00:00"),
        ended_at=ts("2026-04-01 15:00:00"),
        duration_sec=0,
        events_count=1,
        is_bounce=True,
        has_success=False,
    ),
    # provider of the latest event that has one (e17 has none -> e16's P2); n-7 of P1 completed
    # inside but belongs to another provider; s01/s03/s04 are errors of org A inside
    session(
        OA,
        "s-3",
        provider_id=P2,
        started_at=ts("2026-05-04 14:00:00"),
        ended_at=ts("2026-05-04 14:10:00"),
        duration_sec=600,
        events_count=3,
        is_bounce=False,
        has_success=False,
        has_error=True,
    ),
    # the Sentry fatal s05 has no org: not an error of this session
    session(
        OA,
        "s-4",
        started_at=ts("2026-06-10 18:00:00"),
        ended_at=ts("2026-06-10 18:00:00"),
        duration_sec=0,
        events_count=1,
        is_bounce=True,
        has_success=False,
    ),
    session(
        OA,
        "s-5",
        started_at=ts("2026-11-02 09:00:00"),
        ended_at=ts("2026-11-02 09:00:00"),
        duration_sec=0,
        events_count=1,
        is_bounce=True,
        has_success=False,
    ),
    # window [14:02, 14:02]: the fatal s04 at exactly 14:02 is inside (ends are inclusive)
    session(
        OA,
        "s-7",
        started_at=ts("2026-05-04 14:02:00"),
        ended_at=ts("2026-05-04 14:02:00"),
        duration_sec=0,
        events_count=1,
        is_bounce=True,
        has_success=False,
        has_error=True,
    ),
    # the same session id in another org is another session
    session(
        OB,
        "s-1",
        provider_id=P3,
        started_at=ts("2026-10-20 10:00:00"),
        ended_at=ts("2026-10-20 10:05:00"),
        duration_sec=300,
        events_count=2,
        is_bounce=False,
        has_success=False,
    ),
    # 08:50Z .. 09:30Z across the fall back: 40 minutes; n-10 completed 09:20; s06's org comes
    # from its org_id tag (org B), at 09:00
    session(
        OB,
        "s-9",
        provider_id=P3,
        started_at=ts("2026-11-01 08:50:00"),
        ended_at=ts("2026-11-01 09:30:00"),
        duration_sec=2400,
        events_count=3,
        is_bounce=False,
        has_success=True,
        has_error=True,
    ),
]


def test_sessions(built: Built) -> None:
    actual = rows(built, "select * from {core}.sessions")
    key = lambda row: (row["org_id"], row["session_id"])  # noqa: E731
    assert sorted(actual, key=key) == sorted(EXPECTED_SESSIONS, key=key)


# --------------------------------------------------------------------------- data health


def test_data_health(built: Built) -> None:
    health = by_key(rows(built, "select * from {core}.data_health"), "source_table")
    assert health["events_big"] == {
        "source_table": "events_big",
        "as_of": AS_OF,
        # 47 raw rows, minus e42 and e43 after as-of = 45 (e45's time does not parse: counted)
        "rows_raw": 45,
        # 45 - 2 extra copies of e06 - e45 (bad time) - event id 'null'
        "rows_kept": 41,
        "duplicates_dropped": 2,
        "rows_rejected": 2,
        "invalid_id_rows": 3,  # e26, e27 (org 'acme-inc'), e39 (provider and user, one row)
        "invalid_json_rows": 2,  # e37 '#invalid-json', e38 '{bad json'
        "unknown_org_rows": 6,  # e26, e27, e34 '', e35 'NULL', e36 'None', e41 ''
        "jobs_unknown_org": 1,  # n-8
        "newest_at": ts("2026-11-02 11:30:00"),  # e25
        "freshness_lag_sec": 1800,
    }
    assert health["stripe_billing_big"] == {
        "source_table": "stripe_billing_big",
        "as_of": AS_OF,
        "rows_raw": 9,  # 10 rows minus in_A4 (period starts after as-of)
        "rows_kept": 8,
        "duplicates_dropped": 1,  # the open state of in_A2
        "rows_rejected": 0,
        "invalid_id_rows": 1,  # in_X1 'acme'
        "invalid_json_rows": 0,
        "unknown_org_rows": 1,  # in_X1
        "jobs_unknown_org": 0,
        "newest_at": ts("2026-10-20 00:00:00"),  # in_A3 / in_D1 period start
        "freshness_lag_sec": 13 * 86400 + 12 * 3600,
    }
    assert health["sentry_errors_big"] == {
        "source_table": "sentry_errors_big",
        "as_of": AS_OF,
        "rows_raw": 8,  # 9 rows minus s09 (after as-of)
        "rows_kept": 7,
        "duplicates_dropped": 1,  # 'S01', ingested after s01
        "rows_rejected": 0,
        "invalid_id_rows": 1,  # s06 org 'garbage'
        "invalid_json_rows": 1,  # s07 tags
        "unknown_org_rows": 1,  # s05: no column, no tag
        "jobs_unknown_org": 0,
        "newest_at": ts("2026-11-01 09:00:00"),  # s06
        "freshness_lag_sec": 27 * 3600,
    }


# --------------------------------------------------------------------------- staging details


def test_staging_events_normalized(built: Built) -> None:
    events = by_key(rows(built, "select * from staging.stg_app__events"), "event_id")
    assert "e42" not in events and "e43" not in events  # after as-of
    assert "null" not in events and "e45" not in events  # rejected
    e01 = events["e01"]
    assert e01["org_id"] == OA and e01["event_name"] == "org_created" and e01["org_name"] == "Acme Medical"
    assert events["e02"]["event_name"] == "org_created"  # org_signup maps to org_created
    assert events["e02"]["app_event_name"] == "org_signup"
    assert events["e03"]["provider_id"] == P1
    # first ingested copy of e06 wins; the two later copies are counted
    assert events["e06"]["feature"] == "auto_coding" and events["e06"]["note_length"] == 500
    assert events["e06"]["duplicates_dropped"] == 2
    assert events["e08"]["occurred_at"] == ts("2026-03-08 10:05:30.250")  # ...Z
    assert events["e29"]["occurred_at"] == ts("2026-11-01 09:20:00")  # 01:20-08:00
    assert events["e12"]["request_id"] == "req-2"  # ' REQ-2 '
    for event_id in ("e34", "e35", "e36"):
        assert events[event_id]["org_id"] is None and not events[event_id]["has_invalid_org_id"]
    assert events["e26"]["org_id"] is None and events["e26"]["has_invalid_org_id"]
    assert events["e37"]["has_invalid_properties"] and events["e37"]["device"] == "Safari/iOS"
    assert events["e39"]["has_invalid_provider_id"] and events["e39"]["has_invalid_user_id"]


def test_staging_invoices_last_state_wins(built: Built) -> None:
    invoices = by_key(rows(built, "select * from staging.stg_stripe__invoices"), "invoice_id")
    assert "in_A4" not in invoices
    assert invoices["in_A2"]["status"] == "paid" and invoices["in_A2"]["duplicates_dropped"] == 1
    assert invoices["in_C1"]["org_id"] == OC and invoices["in_C1"]["is_churn"] is True
    assert invoices["in_D1"]["mrr_cents"] == 15000 and invoices["in_D1"]["currency"] == "USD"


def test_staging_errors(built: Built) -> None:
    errors = by_key(rows(built, "select * from staging.stg_sentry__errors"), "error_id")
    assert set(errors) == {"s01", "s02", "s03", "s04", "s05", "s06", "s07"}
    assert errors["s01"]["group_id"] == "grp-1" and errors["s01"]["tag_request_id"] == "req-3"
    assert errors["s04"]["level"] == "fatal"
    assert errors["s05"]["tag_note_id"] == "n-4" and errors["s05"]["org_id"] is None
    assert errors["s06"]["org_id"] == OB and errors["s06"]["has_invalid_ids"]
    assert errors["s07"]["has_invalid_tags"] and errors["s07"]["org_id"] == OA


def test_no_patient_data_anywhere(built: Built) -> None:
    """No staging, intermediate or core table has a patient_name column or the patient's name."""
    core = "main" if built.settings.engine == "duckdb" else built.settings.postgres.schema_name
    tables = rows(
        built,
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where table_schema in ('staging', 'intermediate', '{core}')",
    )
    assert tables, "no modelled tables found"
    assert not [t for t in tables if "patient_name" in t["column_name"].lower()]
    for schema, table in sorted({(t["table_schema"], t["table_name"]) for t in tables}):
        for row in rows(built, f"select * from {schema}.{table}"):
            assert not any(PATIENT_NAME in str(value) for value in row.values()), f"{schema}.{table}"


def test_rebuild_at_same_as_of_is_identical(built: Built) -> None:
    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: sorted(
                (tuple(row.values()) for row in rows(built, f"select * from {{core}}.{table}")),
                key=repr,
            )
            for table in CORE_TABLES
        }

    before = snapshot()
    build(built.settings, as_of=AS_OF)
    assert snapshot() == before
