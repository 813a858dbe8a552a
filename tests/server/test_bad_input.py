"""Input that used to answer 500 (or log a traceback) now gets a 4xx naming the problem, or a quiet
disconnect: deeply nested JSON and lone surrogates to the signed webhooks, a NUL byte in a static path,
clients that go away in the middle of a body."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from tests.sentry import sentry_data as sd
from tests.stripe import stripe_data as sk
from vitals.server.app import create_app

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = make_settings(
        "duckdb", tmp_path, sentry={"client_secrets": [sd.SECRET]}, stripe={"webhook_secrets": [sk.SECRET]}
    )
    return create_app(settings)  # not started: the webhooks, the API and the dashboard answer without it


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    yield TestClient(app, raise_server_exceptions=False)


def sentry_post(client: TestClient, body: str) -> Any:
    headers = {"Sentry-Hook-Resource": "error", "Sentry-Hook-Signature": sd.sign(body)}
    return client.post("/webhooks/sentry", content=body.encode("utf-8", "surrogatepass"), headers=headers)


def stripe_post(client: TestClient, body: str) -> Any:
    return client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": sk.sign(body)})


def test_signed_webhooks_refuse_deep_nesting_and_lone_surrogates(client: TestClient) -> None:
    deep_sentry = '{"action": "created", "data": ' + DEEP + "}"
    answer = sentry_post(client, deep_sentry)
    assert (answer.status_code, answer.json()) == (400, {"error": "the JSON is nested too deeply"})

    surrogate = sd.body_of(sd.error_created("ab" * 16)).replace('"title": "', '"title": "\\ud800', 1)
    assert "\\ud800" in surrogate
    answer = sentry_post(client, surrogate)
    assert answer.status_code == 400 and "lone surrogate" in answer.json()["error"]

    answer = stripe_post(client, '{"object": "event", "data": ' + DEEP + "}")
    assert (answer.status_code, answer.json()) == (400, {"error": "the JSON is nested too deeply"})
    event = sk.event(
        {**sk.customer("cus_s", "2026-01-01 00:00:00"), "name": "x"}, "customer.created", "2026-01-01 00:00:00", "evt_s"
    )
    answer = stripe_post(client, json.dumps(event).replace('"name": "x"', '"name": "\\udfff"'))
    assert answer.status_code == 400 and "lone surrogate" in answer.json()["error"]


def test_a_nul_byte_in_a_static_path_is_404(client: TestClient) -> None:
    assert client.get("/static/x%00").status_code == 404
    assert client.get("/static/%00/../x").status_code == 404


def _disconnecting(app: FastAPI, method: str, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Send the first part of a body, then disconnect: what the app sent back (nothing may escape)."""
    sent: list[dict[str, Any]] = []
    parts = iter([{"type": "http.request", "body": b'{"a": ', "more_body": True}, {"type": "http.disconnect"}])

    async def receive() -> dict[str, Any]:
        return next(parts, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"content-length": "1000", **headers}.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "app": app,
    }
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/webhooks/sentry", {"sentry-hook-resource": "error"}),
        ("POST", "/webhooks/stripe", {}),
        ("PATCH", "/api/v1/config", {"content-type": "application/json", "authorization": "Bearer vt_x"}),
        ("POST", "/login", {"content-type": "application/x-www-form-urlencoded"}),
    ],
)
def test_a_client_leaving_mid_body_is_a_quiet_disconnect(
    app: FastAPI, method: str, path: str, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        sent = _disconnecting(app, method, path, headers)  # raises when an exception escapes the app
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
    assert all(m.get("status", 400) < 500 for m in sent), sent
