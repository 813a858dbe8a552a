"""Hand-built raw rows for the transform tests, and helpers to land them and build per engine.

Every row is written as text, the way loaders land it. The expected core rows are spelled out
in the test modules, next to the reasoning behind each value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from vitals.config import Settings
from vitals.contracts import (
    EVENTS,
    LOADED_AT_COLUMN,
    RAW_SCHEMA,
    ROW_HASH_COLUMN,
    SENTRY_ERRORS,
    STRIPE_BILLING,
    RawTable,
)
from vitals.warehouse import open_warehouse

AS_OF = datetime(2026, 11, 2, 12, 0, 0)
"""The as-of time of the main build (UTC): the day after the 2026 fall-back DST change."""

OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
OC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
OD = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"
P3 = "33333333-3333-4333-8333-333333333333"

PATIENT_NAME = "Jane Roe"
"""A patient's name sent in an event's properties: it must never reach staging or core."""

_counter = iter(range(1_000_000))


def event(
    event_id: str,
    name: str,
    at: str,
    *,
    org: str | None = OA,
    provider: str | None = None,
    session: str | None = None,
    request: str | None = None,
    props: dict[str, Any] | str | None = None,
    device: str | None = None,
    geo: str | None = None,
    source: str | None = "app",
    endpoint: str | None = None,
    user: str | None = None,
    ingest_ts: str | None = None,
    loaded_at: str | None = None,
) -> dict[str, str | None]:
    """One raw events_big row (text columns; ``props`` as a dict is JSON-encoded)."""
    properties = json.dumps(props) if isinstance(props, dict) else props
    return {
        "event_id": event_id,
        "org_id": org,
        "provider_id": provider,
        "user_id": user,
        "occurred_at": at,
        "event_name": name,
        "session_id": session,
        "request_id": request,
        "source": source,
        "endpoint": endpoint,
        "device": device,
        "geo_country": geo,
        "properties": properties,
        "inserted_at": at,
        "_ingest_source": "frontend_logger",
        "_ingest_ts": ingest_ts or at,
        LOADED_AT_COLUMN: loaded_at or "2026-11-02 11:59:00",
        ROW_HASH_COLUMN: f"row-{next(_counter)}",
    }


def invoice(
    invoice_id: str,
    org: str | None,
    *,
    start: str,
    end: str,
    status: str,
    mrr: str | None,
    product: str,
    quantity: str,
    customer: str,
    churn: str | None = "false",
    ingest_ts: str | None = None,
    paid_at: str | None = None,
) -> dict[str, str | None]:
    """One raw stripe_billing_big row."""
    return {
        "invoice_id": invoice_id,
        "org_id": org,
        "customer_id": customer,
        "subscription_id": f"sub_{customer}",
        "price_id": f"price_{product}",
        "product": product,
        "currency": "usd",
        "period_start": start,
        "period_end": end,
        "amount_cents": mrr,
        "subtotal_cents": mrr,
        "tax_cents": "0",
        "discount_cents": "0",
        "quantity": quantity,
        "status": status,
        "paid_at": paid_at,
        "refunded_cents": "0",
        "mrr_cents": mrr,
        "churn_flag": churn,
        "expansion_flag": "false",
        "_ingest_source": "stripe_webhook",
        "_ingest_ts": ingest_ts or start,
        LOADED_AT_COLUMN: "2026-11-02 11:59:00",
        ROW_HASH_COLUMN: f"row-{next(_counter)}",
    }


def error(
    event_id: str,
    at: str,
    *,
    level: str = "error",
    org: str | None = OA,
    tags: dict[str, Any] | list[Any] | str | None = None,
    contexts: str | None = '{"os": {"name": "Windows"}}',
    group: str | None = None,
    release: str | None = None,
    ingest_ts: str | None = None,
) -> dict[str, str | None]:
    """One raw sentry_errors_big row (``tags`` as a dict or list is JSON-encoded)."""
    return {
        "event_id": event_id,
        "org_id": org,
        "provider_id": None,
        "project": "clinical-notes-web",
        "group_id": group,
        "level": level,
        "message": "Failed to summarize note",
        "culprit": "Summarizer.run()",
        "release": release,
        "environment": "production",
        "url": "/notes/1/edit",
        "user_id_raw": "user_1",
        "created_at": at,
        "tags": tags if isinstance(tags, str) or tags is None else json.dumps(tags),
        "contexts": contexts,
        "group_first_seen": at,
        "group_last_seen": at,
        "group_count": "1",
        "_ingest_source": "sentry_webhook",
        "_ingest_ts": ingest_ts or at,
        LOADED_AT_COLUMN: "2026-11-02 11:59:00",
        ROW_HASH_COLUMN: f"row-{next(_counter)}",
    }


# --------------------------------------------------------------------------- the rich dataset

RICH_EVENTS: list[dict[str, str | None]] = [
    # org A signs up (id in uppercase with spaces), then a second signup event renames it: ignored
    event(
        "e01",
        "org_created",
        "2026-03-01 16:00:00",
        org=f" {OA.upper()} ",
        props={"org_name": "Acme Medical", "plan": "Pro"},
    ),
    event("e02", "org_signup", "2026-03-02 16:00:00", props={"org_name": "Acme Renamed"}),
    # provider P1 joins as a doctor; a later provider_created says admin: the first wins
    event(
        "e03",
        "provider_created",
        "2026-03-01 17:00:00",
        provider=P1.upper(),
        props={"role": "Doctor"},
        device="Chrome/Mac",
        geo="US",
    ),
    event("e04", "provider_created", "2026-03-05 17:00:00", provider=P1, props={"role": "admin"}),
    # --- job n-1 across the spring-forward DST change (01:59 PST -> 03:00 PDT at 10:00 UTC)
    event("e05", "page_view", "2026-03-08 09:45:00", provider=P1, session="S-1", device="Chrome/Mac"),
    event(
        "e06",
        "note_submit",
        "2026-03-08 09:50:00",
        provider=P1,
        session="S-1",
        request="REQ-1",
        endpoint="/api/v1/notes",
        props={"note_id": "N-1", "feature": "Auto_Coding", "length": 500, "patient_name": PATIENT_NAME},
        ingest_ts="2026-03-08 09:50:01",
        loaded_at="2026-03-08 09:50:02",
    ),
    # two more landed copies of e06: one ingested later, one ingested at the same time but landed
    # later; the first ingested copy (feature auto_coding) wins
    event(
        " E06 ",
        "note_submit",
        "2026-03-08 09:50:00",
        provider=P1,
        session="S-1",
        request="REQ-1",
        props={"note_id": "N-1", "feature": "note"},
        ingest_ts="2026-03-08 09:55:00",
    ),
    event(
        "e06",
        "note_submit",
        "2026-03-08 09:50:00",
        provider=P1,
        session="S-1",
        request="REQ-1",
        props={"note_id": "N-1", "feature": "note"},
        ingest_ts="2026-03-08 09:50:01",
        loaded_at="2026-03-08 10:30:00",
    ),
    event("e07", "summarize_start", "2026-03-08 09:51:00", provider=P1, props={"note_id": "n-1"}),
    event(
        "e08",
        "summarize_success",
        "2026-03-08T10:05:30.250Z",
        provider=P1,
        props={"note_id": "N-1", "quality_score": 0.93, "hard_error": False, "client_release": "web-2.3.1"},
    ),
    event("e09", "logout", "2026-03-08 10:12:00", provider=P1, session="S-1"),
    event("e10", "note_review", "2026-03-08 10:10:00", provider=P1, props={"note_id": "N-1"}),
    event("e11", "note_locked", "2026-03-08 10:20:00", provider=P1, props={"note_id": "N-1"}),
    # --- job req-2: no note_id, so the request id is the key; the first success wins
    event("e12", "note_submit", "2026-04-01 15:00:00", provider=P1, session="S-2", request=" REQ-2 ", props={}),
    event(
        "e13",
        "summarize_success",
        "2026-04-01 15:00:40",
        provider=P1,
        request="req-2",
        props={"quality_score": "0.5", "hard_error": "true"},
    ),
    event("e14", "summarize_success", "2026-04-01 15:01:00", provider=P1, request="REQ-2", props={}),
    # --- session s-3 of P2: job n-3 fails through a Sentry error tag only
    event("e15", "page_view", "2026-05-04 14:00:00", provider=P2, session="S-3", device="Firefox/Linux", geo="FR"),
    event(
        "e16",
        "note_submit",
        "2026-05-04 14:01:00",
        provider=P2,
        session="S-3",
        request="REQ-3",
        props={"note_id": "N-3"},
    ),
    event("e17", "page_view", "2026-05-04 14:10:00", provider="", session="S-3"),
    # --- job n-7 of P1 completes inside session s-3 (of P2): not a success of s-3; locked then review
    event("e18", "note_submit", "2026-05-04 14:02:00", provider=P1, session="S-7", props={"note_id": "N-7"}),
    event("e19", "summarize_success", "2026-05-04 14:05:00", provider=P1, props={"note_id": "N-7"}),
    event("e20", "note_locked", "2026-05-04 14:06:00", provider=P1, props={"note_id": "N-7"}),
    event("e21", "note_review", "2026-05-04 14:07:00", provider=P1, props={"note_id": "N-7"}),
    # --- job n-4: summarize_failed (18:01) earlier than its Sentry error (18:03)
    event(
        "e22",
        "note_submit",
        "2026-06-10 18:00:00",
        provider=P1,
        session="S-4",
        request="req-4",
        props={"note_id": "N-4"},
    ),
    event(
        "e23",
        "summarize_failed",
        "2026-06-10 18:01:00",
        provider=P1,
        props={"note_id": "N-4", "error_code": "E_UPSTREAM"},
    ),
    # --- job n-5 times out (created 3 h before as-of); its success lands after as-of: invisible
    event("e24", "note_submit", "2026-11-02 09:00:00", provider=P1, session="S-5", props={"note_id": "N-5"}),
    event("e42", "summarize_success", "2026-11-02 12:10:00", provider=P1, props={"note_id": "N-5"}),
    # --- job n-6 is pending (created 30 min before as-of): not in the table
    event("e25", "note_submit", "2026-11-02 11:30:00", provider=P1, props={"note_id": "N-6"}),
    # --- job n-9 times out exactly at as-of (11:00 + 60 min = 12:00): included
    event(
        "e44",
        "note_submit",
        "2026-11-02 11:00:00",
        provider=P1,
        props={"note_id": "N-9"},
        device="Edge/Windows",
        geo="DE",
    ),
    # --- job n-8 of an org id that is not a UUID: left out, counted
    event("e26", "note_submit", "2026-06-01 12:00:00", org="acme-inc", provider=P1, props={"note_id": "N-8"}),
    event("e27", "summarize_success", "2026-06-01 12:01:00", org="acme-inc", provider=P1, props={"note_id": "N-8"}),
    # --- org B, provider P3: job n-10 across the fall-back DST change, ISO offsets
    event("e33", "org_created", "2026-10-01 00:00:00", org=OB, props={"plan": "Starter"}),
    event("e31", "login", "2026-10-20 10:00:00", org=OB, provider=P3, session="S-1", device="iPad", geo="US"),
    event("e32", "page_view", "2026-10-20 10:05:00", org=OB, provider=P3, session="S-1"),
    event("e28", "note_submit", "2026-11-01T08:50:00Z", org=OB, provider=P3, session="S-9", props={"note_id": "N-10"}),
    event(
        "e29",
        "summarize_success",
        "2026-11-01T01:20:00-08:00",
        org=OB,
        provider=P3,
        session="S-9",
        props={"note_id": "N-10", "client_release": "ios-1.0"},
    ),
    event("e30", "page_view", "2026-11-01 09:30:00+00:00", org=OB, provider=P3, session="S-9"),
    # --- events of no known org
    event("e34", "page_view", "2026-07-01 00:00:00", org=""),
    event("e35", "page_view", "2026-07-01 00:01:00", org="NULL"),
    event("e36", "login", "2026-07-01 00:02:00", org="None"),
    # --- invalid JSON properties: the rows are kept and counted
    event("e37", "page_view", "2026-07-02 00:00:00", provider=P1, props="#invalid-json", device="Safari/iOS"),
    event("e38", "page_view", "2026-07-03 00:00:00", provider=P1, props="{bad json"),
    # --- a provider id and a user id that are not UUIDs (one row, counted once)
    event("e39", "page_view", "2026-07-04 00:00:00", provider="not-a-provider", user="u-1"),
    # --- provider P2 joins with no org on the event, then works for org A
    event("e41", "provider_created", "2026-05-01 09:00:00", org="", provider=P2, props={"role": "Nurse "}),
    # --- rejected: a time that does not parse, an id that is 'null'
    event("e45", "page_view", "not-a-time", provider=P1),
    event("null", "page_view", "2026-07-05 00:00:00", provider=P1),
    # --- after as-of: invisible
    event("e43", "page_view", "2026-11-02 13:00:00", provider=P1, device="Future/OS"),
]

RICH_INVOICES: list[dict[str, str | None]] = [
    invoice(
        "in_A1",
        OA,
        start="2026-09-15 00:00:00",
        end="2026-10-15 00:00:00",
        status="paid",
        mrr="50000",
        product="Pro",
        quantity="10",
        customer="cus_A",
    ),
    # in_A2 lands as paid (ingested Oct 16) before its older open state (ingested Oct 15): the
    # last ingested state wins whatever the landing order
    invoice(
        "in_A2",
        OA,
        start="2026-10-15 00:00:00",
        end="2026-11-15 00:00:00",
        status="paid",
        mrr="60000",
        product="Pro",
        quantity="12",
        customer="cus_A",
        ingest_ts="2026-10-16 08:00:00",
        paid_at="2026-10-16 08:00:00",
    ),
    invoice(
        "in_A2",
        OA,
        start="2026-10-15 00:00:00",
        end="2026-11-15 00:00:00",
        status="open",
        mrr="60000",
        product="Pro",
        quantity="12",
        customer="cus_A",
        ingest_ts="2026-10-15 00:00:01",
    ),
    # the latest by period start, but void: ignored for plan, seats and MRR
    invoice(
        "in_A3",
        OA,
        start="2026-10-20 00:00:00",
        end="2026-11-20 00:00:00",
        status="void",
        mrr="99000",
        product="Enterprise",
        quantity="50",
        customer="cus_A",
    ),
    # period starts after as-of: invisible
    invoice(
        "in_A4",
        OA,
        start="2026-11-15 00:00:00",
        end="2026-12-15 00:00:00",
        status="paid",
        mrr="80000",
        product="Enterprise",
        quantity="20",
        customer="cus_A",
    ),
    # churned, but its period still covers as-of: counts until Nov 10
    invoice(
        "in_B1",
        OB,
        start="2026-10-10 00:00:00",
        end="2026-11-10 00:00:00",
        status="paid",
        mrr="30000",
        product="Starter",
        quantity="3",
        customer="cus_B",
        churn="true",
    ),
    # churned and its period ended Oct 1: no MRR; the org is known only from billing
    invoice(
        "in_C1",
        f" {OC.upper()} ",
        start="2026-09-01 00:00:00",
        end="2026-10-01 00:00:00",
        status="paid",
        mrr="20000",
        product="Basic",
        quantity="2",
        customer="cus_C",
        churn="t",
    ),
    # an org id that is not a UUID
    invoice(
        "in_X1",
        "acme",
        start="2026-10-01 00:00:00",
        end="2026-11-01 00:00:00",
        status="paid",
        mrr="1000",
        product="Basic",
        quantity="1",
        customer="cus_X",
    ),
    # org D: uncollectible, then an open invoice covering as-of (mrr written as '15000.0')
    invoice(
        "in_D0",
        OD,
        start="2026-09-20 00:00:00",
        end="2026-10-20 00:00:00",
        status="uncollectible",
        mrr="15000",
        product="Basic",
        quantity="1",
        customer="cus_D",
    ),
    invoice(
        "in_D1",
        OD,
        start="2026-10-20 00:00:00",
        end="2026-11-20 00:00:00",
        status="open",
        mrr="15000.0",
        product="Basic",
        quantity="1",
        customer="cus_D",
    ),
]

RICH_ERRORS: list[dict[str, str | None]] = [
    error(
        "s01",
        "2026-05-04 14:03:00",
        tags={"request_id": "REQ-3", "browser": "Firefox"},
        group="GRP-1",
        release="web-2.4.0",
    ),
    # a later landed copy of s01: dropped
    error(
        "S01",
        "2026-05-04 14:03:00",
        tags={"request_id": "REQ-3"},
        group="GRP-9",
        release="web-9",
        ingest_ts="2026-05-04 15:00:00",
    ),
    # a warning tagged with job n-3's request: not an error for the job nor for sessions
    error("s02", "2026-05-04 14:02:00", level="warning", tags={"request_id": "req-3"}),
    # an error tagged with n-3 but earlier than the job's start: not the job's
    error("s03", "2026-05-04 14:00:30", tags={"note_id": "N-3"}, group="grp-0"),
    # untagged fatal error at 14:02 (exactly when session s-7 starts and ends)
    error("s04", "2026-05-04 14:02:00", level="FATAL", tags=None),
    # tags as [key, value] pairs; no org at all
    error(
        "s05",
        "2026-06-10 18:03:00",
        level="fatal",
        org="",
        tags=[["note_id", "N-4"], ["browser", "Chrome"]],
        group="grp-2",
        release="web-2.5.0",
    ),
    # the org column is not a UUID; the org_id tag names org B
    error("s06", "2026-11-01 09:00:00", org="garbage", tags={"org_id": f" {OB.upper()} "}),
    # invalid tags JSON: kept and counted
    error("s07", "2026-07-01 00:00:00", tags="#invalid-json"),
    # after as-of: invisible
    error("s09", "2026-11-02 13:00:00", tags={"note_id": "N-6"}),
]


# --------------------------------------------------------------------------- landing and building


def _arrow(table: RawTable, rows: list[dict[str, str | None]]) -> pa.Table:
    columns = [*table.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
    return pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in columns})


def land(
    settings: Settings,
    events: list[dict[str, str | None]],
    invoices: list[dict[str, str | None]],
    errors: list[dict[str, str | None]],
) -> None:
    """Create the raw tables and append the rows as text."""
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        for table, rows in ((EVENTS, events), (STRIPE_BILLING, invoices), (SENTRY_ERRORS, errors)):
            if rows:
                warehouse.append_arrow(RAW_SCHEMA, table.name, _arrow(table, rows))


def query(settings: Settings, sql: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts (``{core}`` in the SQL is replaced by the core schema)."""
    with open_warehouse(settings) as warehouse:
        warehouse_sql = sql.replace("{core}", warehouse.core_schema)
        table = warehouse.query_arrow(warehouse_sql)
    return table.to_pylist()


@contextmanager
def engine_warehouse(engine: str, directory: Path, **overrides: Any) -> Iterator[Settings]:
    """Settings for a throwaway warehouse of ``engine`` under ``directory`` (PostgreSQL: a fresh database)."""
    from tests.conftest import KEPT_ENVIRONMENT, fresh_pg_database, make_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VITALS_CONFIG", str(directory / "absent-vitals.toml"))
        for key in [k for k in os.environ if k.startswith("VITALS_")]:
            if key != "VITALS_CONFIG" and key not in KEPT_ENVIRONMENT:
                patch.delenv(key)
        if engine != "postgres":
            yield make_settings(engine, directory, **overrides)
            return
        with fresh_pg_database() as dsn:
            yield make_settings("postgres", directory, dsn, **overrides)
