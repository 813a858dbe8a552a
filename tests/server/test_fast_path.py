"""``POST /ingest/events`` answers the same through the service app's fast path and through the plain
FastAPI route (an app that mounts the router itself), for every answer that needs no journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.server.conftest import event, make_tokens, wait_for
from vitals.api.tokens import TokenStore
from vitals.config import Settings
from vitals.server import ingest_route
from vitals.server.app import create_app
from vitals.server.runtime import Runtime
from vitals.warehouse import open_warehouse


@pytest.fixture(params=["service app", "plain router"])
def client_and_runtime(
    request: pytest.FixtureRequest, duckdb_settings: Settings
) -> Iterator[tuple[TestClient, Runtime]]:
    settings = duckdb_settings.model_copy(
        update={"serve": duckdb_settings.serve.model_copy(update={"events_max_body_bytes": 2048, "events_max_rows": 3})}
    )
    runtime = Runtime(settings)
    runtime.test_tokens = make_tokens(settings, "fast")  # type: ignore[attr-defined]
    if request.param == "service app":
        app = create_app(settings, routers=[], runtime=runtime)
    else:
        app = FastAPI()
        app.include_router(ingest_route.create_router(runtime))
    yield TestClient(app), runtime  # not entered: no lifespan, nothing is started


TOKEN: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _ingest_token(client_and_runtime: tuple[TestClient, Runtime]) -> Iterator[None]:
    TOKEN["ingest"], TOKEN["admin"] = client_and_runtime[1].test_tokens  # type: ignore[attr-defined]
    yield
    TOKEN.clear()


def post(client: TestClient, body: bytes, token: str | None = "ingest") -> tuple[int, dict[str, object], str | None]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {TOKEN.get(token, token)}"
    response = client.post(ingest_route.PATH, content=body, headers=headers)
    return response.status_code, response.json(), response.headers.get("retry-after")


def test_not_ready_is_503_with_retry_after(client_and_runtime: tuple[TestClient, Runtime]) -> None:
    client, _ = client_and_runtime
    status, payload, retry = post(client, b"[]")
    assert (status, retry) == (503, "1")
    assert "starting" in str(payload["error"])


def test_bad_bodies_get_a_clear_4xx(client_and_runtime: tuple[TestClient, Runtime]) -> None:
    client, runtime = client_and_runtime
    runtime.ready.set()
    assert post(client, b"nope")[:2] == (400, {"error": "body is not JSON"})
    assert post(client, b'{"a": 1}')[:2] == (400, {"error": "body must be a JSON array of events"})
    four = json.dumps([event(f"evt-{i}") for i in range(4)]).encode()
    assert post(client, four)[:2] == (413, {"error": "more than 3 events in one request"})
    big = json.dumps([event("evt-big", session_id="x" * 3000)]).encode()
    assert post(client, big)[:2] == (413, {"error": "body larger than 2048 bytes"})
    assert post(client, b"[]")[:2] == (200, {"batch_id": None, "received": 0, "accepted": 0, "rejected": []})


def test_an_ingest_or_admin_token_is_required(client_and_runtime: tuple[TestClient, Runtime]) -> None:
    client, runtime = client_and_runtime
    runtime.ready.set()
    with open_warehouse(runtime.settings) as warehouse:
        store = TokenStore(warehouse)
        viewer = store.create("viewer", name="fast-viewer")[1]
        revoked = store.create("ingest", name="fast-revoked")[1]
        store.revoke("fast-revoked")
    body = json.dumps([event("evt-anon", event_name="org_created")]).encode()
    response = client.post(ingest_route.PATH, content=body)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "ingest" in response.json()["error"]
    assert post(client, body, "vt_not-a-token")[0] == 401
    assert post(client, body, revoked)[0] == 401
    status, payload, _ = post(client, body, viewer)
    assert status == 403 and "viewer token may not use ingest" in str(payload["error"])
    # refused before the body is read: an oversized body without a token is still a 401
    assert post(client, b"[" + b" " * 5000 + b"]", None)[0] == 401
    assert post(client, b"[]", "ingest")[0] == 200
    assert post(client, b"[]", "admin")[0] == 200


@pytest.fixture
def started(client_and_runtime: tuple[TestClient, Runtime]) -> Iterator[TestClient]:
    client, runtime = client_and_runtime
    runtime.settings.serve.events_max_rows = 100
    runtime.settings.serve.events_max_body_bytes = 1 << 22
    runtime.start()
    try:
        wait_for("the runtime to be ready", runtime.ready.is_set)
        yield client
    finally:
        runtime.stop()


def test_occurred_at_outside_the_window_is_rejected_by_name(started: TestClient) -> None:
    now = datetime.now(UTC)
    rows = [
        event("evt-now", occurred_at=now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        event("evt-year-1", occurred_at="0001-01-01T00:00:00Z"),  # the Python path
        event("evt-1900", occurred_at=" 1900-01-01 00:00:00 "),  # left to the SQL path
        event("evt-far", occurred_at="2999-06-01T00:00:00+02:00"),
        event("evt-ahead", occurred_at=(now + timedelta(hours=30)).strftime("%Y-%m-%d %H:%M:%S")),
        event("evt-recent", occurred_at=(now - timedelta(days=400)).isoformat()),
    ]
    status, payload, _ = post(started, json.dumps(rows).encode())
    assert status == 200 and payload["accepted"] == 2, payload
    reasons = {r["index"]: r["reason"] for r in payload["rejected"]}  # type: ignore[union-attr]
    assert set(reasons) == {1, 2, 3, 4}
    assert reasons[1].startswith("occurred_at 0001-01-01 00:00:00 UTC is outside the accepted window")
    assert reasons[2].startswith("occurred_at 1900-01-01 00:00:00 UTC is outside")
    assert reasons[3].startswith("occurred_at 2999-05-31 22:00:00 UTC is outside")
    assert all("serve.events_max_age_days" in reason for reason in reasons.values())


def test_lone_surrogates_and_deep_nesting_are_a_clear_4xx(started: TestClient) -> None:
    mixed = "[" + json.dumps(event("evt-fine")) + ', {"event_id": "evt-bad", "occurred_at": "2026-12-01T10:00:00Z", '
    mixed += '"event_name": "login", "session_id": "\\ud800", "org_id": "\\ud800x"}]'
    status, payload, _ = post(started, mixed.encode())
    assert status == 200 and payload["accepted"] == 1, payload
    assert "lone surrogate" in str(payload["rejected"])
    in_properties = json.dumps([event("evt-p", properties={"note_id": "\ud800"})]).encode()
    status, payload, _ = post(started, in_properties)
    assert status == 422 and "lone surrogate" in str(payload["rejected"])
    deep = b"[" + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"]"
    status, payload, _ = post(started, deep)
    assert (status, payload) == (400, {"error": "the JSON is nested too deeply"})
