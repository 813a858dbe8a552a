"""kill -9 between a webhook's acknowledgement and its flatten, restart: every acknowledged Sentry error and
Stripe invoice is in the flattened tables (``sentry_errors_big``, ``stripe_billing_big``), not only in the
stored deliveries; and `vitals build` flattens what is stored before it builds.

The receivers flatten in the background after acknowledging; the first server runs with that turned off,
so the window between acknowledgement and flatten, short and racy in production, spans the whole burst.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.sentry import sentry_data as sd
from tests.server.conftest import ServerProcess, wait_for
from tests.stripe import stripe_data as sk
from tests.stripe.test_webhook import INVOICE
from vitals.config import Settings
from vitals.warehouse import open_warehouse

CLIENTS = 4
KILL_AFTER = 40
"""Acknowledged deliveries of each kind before the kill."""


def sentry_delivery(event_id: str) -> tuple[str, dict[str, str]]:
    body = sd.body_of(sd.error_created(event_id, datetime="2026-12-01T10:00:00.000000Z"))
    return body, {"Sentry-Hook-Resource": "error", "Sentry-Hook-Signature": sd.sign(body)}


def stripe_delivery(invoice_id: str) -> tuple[str, dict[str, str]]:
    invoice = {**copy.deepcopy(INVOICE), "id": invoice_id}
    body = json.dumps(sk.event(invoice, "invoice.finalized", "2026-10-01 00:05:00", f"evt_{invoice_id}"))
    return body, {"Stripe-Signature": sk.sign(body)}


def with_secrets(server: ServerProcess, *, flatten: bool) -> ServerProcess:
    server.env["VITALS_SENTRY_CLIENT_SECRET"] = sd.SECRET
    server.env["VITALS_STRIPE_WEBHOOK_SECRETS"] = sk.SECRET
    server.env["VITALS_SENTRY__FLATTEN_ON_WEBHOOK"] = str(flatten).lower()
    server.env["VITALS_STRIPE__FLATTEN_ON_WEBHOOK"] = str(flatten).lower()
    return server


def flattened(settings: Settings) -> tuple[set[str], set[str], int, int]:
    """Sentry event ids and Stripe invoice ids in the flattened tables, and the stored deliveries of each."""
    with open_warehouse(settings) as warehouse:
        errors = {r[0] for r in warehouse.query("select event_id from raw.sentry_errors_big")}
        invoices = {r[0] for r in warehouse.query("select invoice_id from raw.stripe_billing_big")}
        deliveries = warehouse.query("select count(*) from raw.sentry_deliveries")[0][0]
        events = warehouse.query("select count(*) from raw.stripe_events")[0][0]
    return errors, invoices, int(deliveries), int(events)


def test_kill_before_the_flatten_loses_no_acknowledged_delivery(server_settings: Settings, tmp_path: Path) -> None:
    server = with_secrets(ServerProcess(server_settings, tmp_path), flatten=False).start()
    acked: dict[str, set[str]] = {"sentry": set(), "stripe": set()}
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(timeout=10.0) as http:
            sequence = 0
            while not stop.is_set():
                sequence += 1
                kind = "sentry" if (number + sequence) % 2 else "stripe"
                key = f"{number:02d}{sequence:06d}"
                if kind == "sentry":
                    ident = f"{key}{'e' * 24}"
                    body, headers = sentry_delivery(ident)
                else:
                    ident = f"in_crash_{key}"
                    body, headers = stripe_delivery(ident)
                try:
                    response = http.post(f"{server.url}/webhooks/{kind}", content=body, headers=headers)
                except httpx.HTTPError:
                    continue  # the server is gone: never acknowledged
                if response.status_code == 200:
                    with lock:
                        acked[kind].add(ident)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        wait_for("enough acknowledged deliveries", lambda: min(map(len, acked.values())) >= KILL_AFTER, timeout=120)
        server.kill()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    errors, invoices, _, _ = flattened(server_settings)
    assert not errors & acked["sentry"] and not invoices & acked["stripe"]  # the kill came before any flatten

    restarted = with_secrets(ServerProcess(server_settings, tmp_path), flatten=True).start()  # ready: /readyz 200
    try:  # a redelivery of an acknowledged delivery is still known as one (DuckDB: its index was repaired)
        body, headers = sentry_delivery(min(acked["sentry"]))
        again = httpx.post(f"{restarted.url}/webhooks/sentry", content=body, headers=headers).json()
        body, headers = stripe_delivery(min(acked["stripe"]))
        again_stripe = httpx.post(f"{restarted.url}/webhooks/stripe", content=body, headers=headers).json()
    finally:
        restarted.stop()
    assert again["duplicate"] is True and again_stripe["duplicate"] is True
    errors, invoices, deliveries, events = flattened(server_settings)
    assert deliveries >= len(acked["sentry"]) and events >= len(acked["stripe"])
    missing_errors = acked["sentry"] - errors
    missing_invoices = acked["stripe"] - invoices
    assert not missing_errors, f"{len(missing_errors)} acknowledged Sentry errors not flattened"
    assert not missing_invoices, f"{len(missing_invoices)} acknowledged Stripe invoices not flattened"


def test_vitals_build_flattens_stored_deliveries_first(
    duckdb_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vitals import cli
    from vitals.sentry.payloads import parse_delivery
    from vitals.sentry.store import ensure_tables as sentry_tables
    from vitals.sentry.store import store_delivery
    from vitals.stripe.store import ensure_tables as stripe_tables
    from vitals.stripe.store import parse_event, store_event
    from vitals.warehouse import dbt

    with open_warehouse(duckdb_settings) as warehouse:  # stored, as a receiver does, and never flattened
        sentry_tables(warehouse)
        stripe_tables(warehouse)
        for n in range(3):
            body, _ = sentry_delivery(f"{n:032d}")
            store_delivery(warehouse, body, parse_delivery("error", json.loads(body)), None, None)
        body, _ = stripe_delivery("in_build_1")
        store_event(warehouse, body, parse_event(body))
    seen: dict[str, Any] = {}

    def fake_build(settings: Settings, **_: Any) -> Any:
        seen["tables"] = flattened(settings)[:2]
        raise dbt.BuildError("stopped here: the test looks at what the build would have read")

    monkeypatch.setattr(dbt, "build", fake_build)
    env = {
        "VITALS_ENGINE": "duckdb",
        "VITALS_WAREHOUSE": str(duckdb_settings.warehouse),
        "VITALS_STATE_DIR": str(duckdb_settings.state_dir),
        "VITALS_CONFIG": str(tmp_path / "absent.toml"),
        "VITALS_SENTRY_CLIENT_SECRET": sd.SECRET,
    }
    result = CliRunner().invoke(cli.app, ["build"], env=env)
    assert "stopped here" in result.output, result.output
    errors, invoices = seen["tables"]
    assert errors == {f"{n:032d}" for n in range(3)}
    assert invoices == {"in_build_1"}
