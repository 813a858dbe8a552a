"""``POST /ingest/events`` answers the same through the service app's fast path and through the plain
FastAPI route (an app that mounts the router itself), for every answer that needs no journal."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.server.conftest import event
from vitals.config import Settings
from vitals.server import ingest_route
from vitals.server.app import create_app
from vitals.server.runtime import Runtime


@pytest.fixture(params=["service app", "plain router"])
def client_and_runtime(
    request: pytest.FixtureRequest, duckdb_settings: Settings
) -> Iterator[tuple[TestClient, Runtime]]:
    settings = duckdb_settings.model_copy(
        update={"serve": duckdb_settings.serve.model_copy(update={"events_max_body_bytes": 2048, "events_max_rows": 3})}
    )
    runtime = Runtime(settings)
    if request.param == "service app":
        app = create_app(settings, routers=[], runtime=runtime)
    else:
        app = FastAPI()
        app.include_router(ingest_route.create_router(runtime))
    yield TestClient(app), runtime  # not entered: no lifespan, nothing is started


def post(client: TestClient, body: bytes) -> tuple[int, dict[str, object], str | None]:
    response = client.post(ingest_route.PATH, content=body, headers={"Content-Type": "application/json"})
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
