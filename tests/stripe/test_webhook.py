"""POST /webhooks/stripe: signatures made with the stripe library's own scheme, durable store, dedupe.

Each test runs on DuckDB and PostgreSQL (the store is the same code on both).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.stripe import stripe_data as d
from vitals.stripe import store
from vitals.stripe.webhook import PATH, create_app
from vitals.warehouse import open_warehouse

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]

INVOICE = d.new_invoice(
    "in_hook_1",
    "cus_hook",
    "sub_hook",
    [
        d.new_line(
            "il_h1",
            "price_h",
            "prod_h",
            4,
            19600,
            ("2026-10-01 00:00:00", "2026-11-01 00:00:00"),
            subscription_id="sub_hook",
        )
    ],
    status="open",
    created="2026-10-01 00:00:00",
    subtotal=19600,
    tax=0,
    finalized_at="2026-10-01 00:05:00",
)
PAID = {
    **INVOICE,
    "status": "paid",
    "status_transitions": {**INVOICE["status_transitions"], "paid_at": d.epoch("2026-10-01 00:06:00")},
}


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> d.StripeTestSettings:
    if request.param == "postgres":
        return d.make_settings(tmp_path, "postgres", request.getfixturevalue("pg_database"))
    return d.make_settings(tmp_path)


@pytest.fixture
def client(settings: d.StripeTestSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def body_of(obj: dict[str, Any], kind: str, created: str, event_id: str) -> str:
    return json.dumps(d.event(obj, kind, created, event_id))


def post(client: TestClient, body: str | bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(PATH, content=body, headers=headers)


def counts(settings: d.StripeTestSettings) -> tuple[int, int]:
    """Stored events and object states (0, 0 when nothing was ever stored)."""
    with open_warehouse(settings) as warehouse:
        store.ensure_tables(warehouse)
        events = warehouse.query("select count(*) from raw.stripe_events")[0][0]
        objects = warehouse.query("select count(*) from raw.stripe_objects")[0][0]
    return int(events), int(objects)


def billing_status(settings: d.StripeTestSettings, invoice_id: str) -> list[tuple[Any, ...]]:
    with open_warehouse(settings) as warehouse:
        return warehouse.query(
            "select status, paid_at, _ingest_ts, _ingest_source from raw.stripe_billing_big where invoice_id = ? "
            "order by _ingest_ts, _loaded_at",
            [invoice_id],
        )


def test_valid_event_is_stored_then_acknowledged(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    response = post(client, body, d.sign(body))
    assert response.status_code == 200
    assert response.json() == {"received": True, "event_id": "evt_1", "duplicate": False}
    assert counts(settings) == (1, 1)
    with open_warehouse(settings) as warehouse:
        stored = warehouse.query("select event_id, event_type, created_at, body from raw.stripe_events")
        state = warehouse.query(
            "select object_id, object_type, customer_id, status, state_ts, object_ts, lifecycle_rank, received_via "
            "from raw.stripe_objects"
        )
    # the body is kept verbatim
    assert stored == [("evt_1", "invoice.finalized", "2026-10-01 00:05:00", body)]
    # object time = finalized_at 00:05; open = rank 1; the state time is the event's created time
    assert state == [
        (
            "in_hook_1",
            "invoice",
            "cus_hook",
            "open",
            "2026-10-01 00:05:00.000000",
            "2026-10-01 00:05:00",
            "1",
            "webhook",
        )
    ]
    # flattened in the background after the acknowledgement: 4 seats, 19600 a month
    assert billing_status(settings, "in_hook_1") == [("open", None, "2026-10-01 00:05:00.000000", "stripe_webhook")]


def test_tampered_body_is_rejected(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    tampered = body.replace('"total": 19600', '"total": 1')
    assert tampered != body
    response = post(client, tampered, d.sign(body))
    assert response.status_code == 400
    assert counts(settings) == (0, 0)


def test_missing_signature_is_rejected(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    assert post(client, body, None).status_code == 400
    assert post(client, body, "garbage").status_code == 400
    assert counts(settings) == (0, 0)


def test_stale_timestamp_is_rejected(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    # signed 301 s ago with the right secret: outside the 300 s tolerance
    response = post(client, body, d.sign(body, at=int(time.time()) - 301))
    assert response.status_code == 400
    assert counts(settings) == (0, 0)
    # 200 s ago is inside it
    assert post(client, body, d.sign(body, at=int(time.time()) - 200)).status_code == 200


def test_future_timestamp_is_rejected(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    # signed for a day ahead with the right secret: replayable for a day, so refused
    assert post(client, body, d.sign(body, at=int(time.time()) + 86_400)).status_code == 400
    assert post(client, body, d.sign(body, at=int(time.time()) + 301)).status_code == 400
    assert counts(settings) == (0, 0)
    # a clock a little ahead is inside the tolerance
    assert post(client, body, d.sign(body, at=int(time.time()) + 60)).status_code == 200


def test_tolerance_setting(tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path, webhook_tolerance_seconds=30, flatten_on_webhook=False)
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    with TestClient(create_app(settings)) as client:
        assert post(client, body, d.sign(body, at=int(time.time()) - 60)).status_code == 400
        assert post(client, body, d.sign(body, at=int(time.time()) - 10)).status_code == 200


def test_rotated_secrets(tmp_path: Path) -> None:
    # during a rotation both secrets are configured: a delivery signed with either verifies
    settings = d.make_settings(tmp_path, webhook_secrets=f"{d.SECRET}, {d.OLD_SECRET}", flatten_on_webhook=False)
    with TestClient(create_app(settings)) as client:
        first = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_old")
        assert post(client, first, d.sign(first, d.OLD_SECRET)).status_code == 200
        second = body_of(PAID, "invoice.paid", "2026-10-01 00:06:00", "evt_new")
        assert post(client, second, d.sign(second, d.SECRET)).status_code == 200
        # Stripe's header with one v1 signature per secret (the unknown one is ignored)
        third = body_of(PAID, "invoice.updated", "2026-10-01 00:07:00", "evt_both")
        at = int(time.time())
        unknown = d.sign(third, "whsec_unknown", at).split(",")[1]
        assert post(client, third, f"{d.sign(third, d.SECRET, at)},{unknown}").status_code == 200
        # a secret that is not configured (any more) is refused
        fourth = body_of(PAID, "invoice.updated", "2026-10-01 00:08:00", "evt_retired")
        assert post(client, fourth, d.sign(fourth, "whsec_retired")).status_code == 400
    assert counts(settings) == (3, 3)


def test_duplicate_delivery_is_acknowledged_once_stored(client: TestClient, settings: d.StripeTestSettings) -> None:
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    assert post(client, body, d.sign(body)).json()["duplicate"] is False
    again = post(client, body, d.sign(body))  # a redelivery, newly signed
    assert again.status_code == 200
    assert again.json() == {"received": True, "event_id": "evt_1", "duplicate": True}
    assert counts(settings) == (1, 1)
    assert len(billing_status(settings, "in_hook_1")) == 1


def test_out_of_order_updates(client: TestClient, settings: d.StripeTestSettings) -> None:
    paid = body_of(PAID, "invoice.paid", "2026-10-01 00:06:00", "evt_paid")
    finalized = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_finalized")
    # the later state arrives first, then the earlier one
    assert post(client, paid, d.sign(paid)).status_code == 200
    assert post(client, finalized, d.sign(finalized)).status_code == 200
    assert counts(settings) == (2, 2)
    # the flattened invoice stays paid: one row only, the paid one (the open state never becomes current)
    assert billing_status(settings, "in_hook_1") == [
        ("paid", "2026-10-01 00:06:00", "2026-10-01 00:06:00.000000", "stripe_webhook")
    ]


def test_oversized_body_is_refused(tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path, webhook_max_body_bytes=2048)
    body = body_of({**INVOICE, "description": "x" * 5000}, "invoice.updated", "2026-10-01 00:05:00", "evt_big")
    with TestClient(create_app(settings)) as client:
        response = post(client, body, d.sign(body))
        assert response.status_code == 413
        # the same limit holds when the body is streamed without a Content-Length
        streamed = client.post(
            PATH, content=iter([body.encode()[:1500], body.encode()[1500:]]), headers={"Stripe-Signature": d.sign(body)}
        )
        assert streamed.status_code == 413
    assert counts(settings) == (0, 0)


def test_non_json_body_is_refused(client: TestClient, settings: d.StripeTestSettings) -> None:
    for body in ("not json at all", '{"id": "evt_1", "object": "charge"}', "[1, 2]"):
        response = post(client, body, d.sign(body))  # correctly signed, but not a Stripe event
        assert response.status_code == 400, body
    response = post(client, b"\xff\xfe", d.sign("x"))
    assert response.status_code == 400
    assert counts(settings) == (0, 0)


def test_no_secret_configured(tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path, webhook_secrets=[])
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    with TestClient(create_app(settings)) as client:
        assert post(client, body, d.sign(body)).status_code == 503
    assert counts(settings) == (0, 0)


def test_store_failure_is_not_acknowledged(
    client: TestClient, settings: d.StripeTestSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("vitals.stripe.webhook.store_event", broken)
    body = body_of(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    response = post(client, body, d.sign(body))
    assert response.status_code == 500  # Stripe retries
    assert counts(settings) == (0, 0)


def test_store_is_transactional(settings: d.StripeTestSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    # a failure after the event row was written rolls the whole delivery back
    event = d.event(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_1")
    original = store._object_row

    def failing(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise RuntimeError("crash mid-write")

    monkeypatch.setattr(store, "_object_row", failing)
    with open_warehouse(settings) as warehouse:
        store.ensure_tables(warehouse)
        with pytest.raises(RuntimeError):
            store.store_event(warehouse, json.dumps(event), event)
    assert counts(settings) == (0, 0)


def test_times_out_of_range_are_a_400_or_no_time(client: TestClient, settings: d.StripeTestSettings) -> None:
    # an event created before 1970 or after 9999 is refused (it was a 500, so Stripe would retry it forever)
    body = json.dumps({**d.event(INVOICE, "invoice.finalized", "2026-10-01 00:05:00", "evt_old"), "created": -(2**39)})
    answer = post(client, body, d.sign(body))
    assert answer.status_code == 400 and "out of range" in answer.json()["error"]
    # an object of a shape Stripe never sends (a list where it sends an object) is refused, not a 500
    broken = {**INVOICE, "status_transitions": [1]}
    body = body_of(broken, "invoice.finalized", "2026-10-01 00:05:00", "evt_broken")
    answer = post(client, body, d.sign(body))
    assert answer.status_code == 400 and "shaped" in answer.json()["error"]
    # an object's own time out of range is no time at all: the event is stored
    odd = {**INVOICE, "status_transitions": {**INVOICE["status_transitions"], "finalized_at": 10**13}}
    body = body_of(odd, "invoice.finalized", "2026-10-01 00:05:00", "evt_odd")
    assert post(client, body, d.sign(body)).status_code == 200
