"""`vitals serve` mounts both webhook receivers and fills the scheduler's alerts and digest hooks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.sentry import sentry_data as sd
from tests.server.conftest import ServerProcess
from vitals.config import Settings
from vitals.server import hooks
from vitals.server.app import create_app
from vitals.server.wiring import evaluate_alerts, weekly_digest
from vitals.warehouse import open_warehouse


def test_the_served_app_takes_sentry_and_stripe_webhooks(duckdb_settings: Settings, tmp_path: Path) -> None:
    server = ServerProcess(duckdb_settings, tmp_path)
    server.env["VITALS_SENTRY_CLIENT_SECRET"] = sd.SECRET
    server.env["VITALS_SENTRY__FLATTEN_ON_WEBHOOK"] = "false"
    server.start()
    try:
        body = sd.body_of(sd.error_created())
        headers = {"Content-Type": "application/json", "Sentry-Hook-Resource": "error"}
        signed = httpx.post(
            server.url + "/webhooks/sentry", content=body, headers={**headers, "Sentry-Hook-Signature": sd.sign(body)}
        )
        tampered = httpx.post(
            server.url + "/webhooks/sentry",
            content=body.replace("error", "errors", 1),
            headers={**headers, "Sentry-Hook-Signature": sd.sign(body)},
        )
        stripe = httpx.post(server.url + "/webhooks/stripe", content=json.dumps({}), headers=headers)
    finally:
        server.stop()
    assert signed.status_code == 200, signed.text
    assert tampered.status_code == 401
    assert stripe.status_code == 503  # mounted; no Stripe secret configured, so Stripe would retry
    with open_warehouse(duckdb_settings) as warehouse:
        assert warehouse.query("select count(*) from raw.sentry_deliveries") == [(1,)]


def test_creating_the_app_registers_the_alerts_and_digest_jobs(duckdb_settings: Settings) -> None:
    for registry, hook in ((hooks.alerts, evaluate_alerts), (hooks.digest, weekly_digest)):
        registry.unregister(hook)
    create_app(duckdb_settings)
    assert evaluate_alerts in hooks.alerts.hooks
    assert weekly_digest in hooks.digest.hooks
