"""A bounded schemathesis run over the service's own routes as `vitals serve` mounts them: the events
intake (with an ingest token), status (with an admin token), the admin routes (with a wrong secret: they
refuse before reading) and both webhook receivers with signed bodies (the generated body is signed with
the configured secret, so it reaches the parsing and storing code). Nothing may answer 5xx.

The API routes over a built warehouse are fuzzed, with every conformance check, in ``test_schemathesis``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.conftest import make_settings
from tests.sentry import sentry_data as sd
from tests.server.conftest import make_tokens, wait_for
from tests.stripe import stripe_data as sk
from vitals.server.app import create_app
from vitals.server.runtime import Runtime

SERVICE_PATHS = {"/ingest/events", "/api/v1/status", "/healthz", "/readyz"}
ADMIN_PREFIX = "/api/v1/admin/"
WEBHOOKS = {"/webhooks/sentry", "/webhooks/stripe"}
EXAMPLES = 50

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
STRIPE_TYPES = ["invoice", "customer", "subscription", "price", "product", "credit_note", "refund", "charge"]


class StartedElsewhere:
    """The app without its lifespan: the fuzzing transports run an app's lifespan around every call, and
    the runtime is started once by the fixture instead."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    directory = tmp_path_factory.mktemp("service-fuzz")
    config = make_settings(
        "duckdb",
        directory,
        sentry={"client_secrets": [sd.SECRET]},
        stripe={"webhook_secrets": [sk.SECRET]},
        serve={"admin_secret": "fuzz-admin-secret", "build_interval_minutes": 600, "alerts_interval_minutes": 600},
    )
    ingest, admin = make_tokens(config, "fuzz")
    runtime = Runtime(config)
    app = create_app(config, runtime=runtime)
    runtime.start()
    try:
        wait_for("the service to be ready", runtime.ready.is_set)
        yield StartedElsewhere(app), {"ingest": ingest, "admin": admin}
    finally:
        runtime.stop()


def test_service_routes_never_answer_5xx(service: tuple[Any, dict[str, str]]) -> None:
    app, tokens = service
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path in SERVICE_PATHS or result.ok().path.startswith(ADMIN_PREFIX)
    ]
    assert {o.path for o in operations} >= SERVICE_PATHS | {ADMIN_PREFIX + "build", ADMIN_PREFIX + "load"}
    for operation in operations:
        _fuzz(operation, _authorization(operation.path, tokens))


def _authorization(path: str, tokens: dict[str, str]) -> str:
    if path == "/ingest/events":
        return f"Bearer {tokens['ingest']}"
    if path.startswith(ADMIN_PREFIX):
        return "Bearer not-the-admin-secret"  # a build or load must not run from fuzzed input
    return f"Bearer {tokens['admin']}"


def _fuzz(operation: Any, authorization: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"Authorization": authorization}, checks=[not_a_server_error])

    run()


def _sentry_body(action: str, data: Any) -> dict[str, Any]:
    return {"action": action, "data": data, "installation": {"uuid": "fuzz"}}


def test_signed_webhooks_never_answer_5xx(service: tuple[Any, dict[str, str]]) -> None:
    app, _ = service
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = {r.ok().path: r.ok() for r in schema.get_all_operations() if r.ok().path in WEBHOOKS}
    assert set(found) == WEBHOOKS
    client = TestClient(app, raise_server_exceptions=False)

    @given(
        case=found["/webhooks/sentry"].as_strategy(),
        resource=st.sampled_from(["error", "event_alert", "issue", "installation", "comment"]),
        action=st.sampled_from(["created", "triggered", "resolved", "assigned", "ignored", "archived"]),
        inner=st.dictionaries(
            st.sampled_from(["event_id", "datetime", "timestamp", "tags", "contexts", "issue_id", "project"]),
            JSON_VALUES,
            max_size=5,
        ),
        shape=st.sampled_from(["generated", "error", "event", "issue"]),
    )
    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def sentry(case: schemathesis.Case, resource: str, action: str, inner: dict[str, Any], shape: str) -> None:
        generated = case.body if isinstance(case.body, dict) else {}
        if shape == "generated":
            payload: Any = generated
        else:
            payload = _sentry_body(action, {shape: {**generated, **inner}})
        body = json.dumps(payload)
        headers = {"Sentry-Hook-Resource": resource, "Sentry-Hook-Signature": sd.sign(body)}
        answer = client.post("/webhooks/sentry", content=body, headers=headers)
        assert answer.status_code < 500, (answer.status_code, answer.text, body[:500])

    @given(
        case=found["/webhooks/stripe"].as_strategy(),
        kind=st.sampled_from(STRIPE_TYPES),
        fields=st.dictionaries(
            st.sampled_from(["status", "customer", "subscription", "lines", "items", "created", "metadata"]),
            JSON_VALUES,
            max_size=5,
        ),
        created=st.integers(min_value=-(2**40), max_value=2**40) | st.text(max_size=12),
        wrap=st.booleans(),
    )
    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def stripe(case: schemathesis.Case, kind: str, fields: dict[str, Any], created: Any, wrap: bool) -> None:
        generated = case.body if isinstance(case.body, dict) else {}
        payload: Any = generated
        if wrap:
            obj = {**generated, **fields, "object": kind, "id": f"{kind}_fuzz_{abs(hash(json.dumps(fields))) % 10**6}"}
            payload = {
                "object": "event",
                "id": f"evt_fuzz_{abs(hash(json.dumps(obj))) % 10**9}",
                "type": f"{kind}.updated",
                "created": created,
                "data": {"object": obj},
            }
        body = json.dumps(payload)
        answer = client.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": sk.sign(body)})
        assert answer.status_code < 500, (answer.status_code, answer.text, body[:500])

    sentry()
    stripe()
    # what was stored can be flattened (a build would do it first): no stored delivery breaks the flatten
    from vitals.stored_deliveries import flatten_stored

    runtime: Runtime = app.state.runtime
    with runtime.writer.lock:
        flatten_stored(runtime.settings, runtime.writer.warehouse)
