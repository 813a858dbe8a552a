"""POST /webhooks/sentry on a real server on loopback: signatures as Sentry makes them, durable store, dedupe,
and the flattened rows in raw.sentry_errors_big.

Each test runs on DuckDB and PostgreSQL (the store and the flatten are the same code on both).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sentry import sentry_data as d
from tests.sentry.loopback import serving
from vitals.config import Settings
from vitals.sentry import create_app, create_router
from vitals.sentry.flatten import flatten
from vitals.sentry.settings import sentry_settings
from vitals.sentry.store import ensure_tables
from vitals.sentry.webhook import PATH
from vitals.warehouse import open_warehouse

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
FIXTURE_EVENT = "bb78c1407cea4519aa397afc059c793d"
ALERT_EVENT = "e4874d664c3540c1a32eab185f12c5ab"


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_for(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Settings]:
    """Settings on this test's engine with the given ``sentry`` options."""
    dsn = request.getfixturevalue("pg_database") if engine == "postgres" else None

    def make(**sentry: Any) -> Settings:
        return d.make_settings(tmp_path, engine, dsn, **sentry)

    return make


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(flatten_on_webhook=False, project_org_map={"front-end": d.OA})


@pytest.fixture
def url(settings: Settings) -> Iterator[str]:
    with serving(create_app(settings)) as base:
        yield base + PATH


def post(
    url: str,
    body: str | bytes,
    signature: str | None,
    resource: str | None = "error",
    **headers: str,
) -> httpx.Response:
    sent = {"Content-Type": "application/json", "Request-ID": "c6b2f2e1-0c4e-4a59-9b3e-8d3f2a1b0c9d", **headers}
    sent["Sentry-Hook-Timestamp"] = str(int(time.time()))
    if signature is not None:
        sent["Sentry-Hook-Signature"] = signature
    if resource is not None:
        sent["Sentry-Hook-Resource"] = resource
    return httpx.post(url, content=body, headers=sent, timeout=30)


def send(url: str, payload: dict[str, Any], resource: str, secret: str = d.SECRET) -> httpx.Response:
    body = d.body_of(payload)
    return post(url, body, d.sign(body, secret), resource)


def counts(settings: Settings) -> tuple[int, int]:
    """Stored deliveries and landed error rows."""
    with open_warehouse(settings) as warehouse:
        ensure_tables(warehouse)
        deliveries = warehouse.query("select count(*) from raw.sentry_deliveries")[0][0]
        errors = warehouse.query("select count(*) from raw.sentry_errors_big")[0][0]
    return int(deliveries), int(errors)


def run_flatten(settings: Settings) -> int:
    with open_warehouse(settings) as warehouse:
        return flatten(warehouse, sentry_settings(settings)).rows_inserted


def errors(settings: Settings, *columns: str) -> list[dict[str, Any]]:
    with open_warehouse(settings) as warehouse:
        names = list(columns)
        found = warehouse.query(f"select {', '.join(names)} from raw.sentry_errors_big order by event_id, _loaded_at")
    return [dict(zip(names, row, strict=True)) for row in found]


def test_signed_fixtures_land_as_rows(url: str, settings: Settings) -> None:
    first = send(url, d.ERROR_CREATED, "error")
    assert first.status_code == 200
    assert first.json() == {"received": True, "stored": True, "event_id": FIXTURE_EVENT, "duplicate": False}
    assert send(url, d.EVENT_ALERT, "event_alert").status_code == 200
    assert counts(settings) == (2, 0)  # stored before the acknowledgement, flattened separately
    assert run_flatten(settings) == 2
    rows = errors(
        settings,
        "event_id",
        "org_id",
        "provider_id",
        "project",
        "group_id",
        "level",
        "message",
        "culprit",
        "url",
        "created_at",
        "tags",
        "contexts",
        "_ingest_source",
    )
    assert [r["event_id"] for r in rows] == [FIXTURE_EVENT, ALERT_EVENT]
    error = rows[0]
    # org from the project -> org map (the fixture has no org tag); project slug from the event's API url
    assert error["org_id"] == d.OA
    assert error["project"] == "front-end"
    assert error["group_id"] == "1170820242"
    assert (error["level"], error["message"], error["culprit"]) == (
        "error",
        "ReferenceError: blooopy is not defined",
        "?(runner)",
    )
    assert error["url"] == "https://null.jsbin.com/runner"
    assert error["created_at"] == "2019-08-19 20:58:37.391000"
    assert error["provider_id"] is None
    assert error["_ingest_source"] == "sentry_webhook"
    # tags: the [[key, value]] pairs as one object, in order
    tags = json.loads(error["tags"])
    assert tags["browser.name"] == "Chrome" and tags["handled"] == "no" and len(tags) == 9
    assert json.loads(error["contexts"])["os"] == {"name": "Mac OS X", "type": "os", "version": "10.14.0"}
    assert rows[1]["created_at"] == "2019-08-19 21:06:17.677000"
    assert rows[1]["group_id"] == "1117540176"
    # a second flatten lands nothing
    assert run_flatten(settings) == 0
    assert counts(settings) == (2, 2)


def test_the_body_is_kept_verbatim(url: str, settings: Settings) -> None:
    body = json.dumps(d.ERROR_CREATED, indent=1)  # whatever the formatting, the signed bytes are kept
    assert post(url, body, d.sign(body), "error").status_code == 200
    with open_warehouse(settings) as warehouse:
        stored = warehouse.query(
            "select delivery_key, resource, action, event_id, issue_id, project, received_via, request_id, body "
            "from raw.sentry_deliveries"
        )
    assert stored == [
        (
            f"error.created:{FIXTURE_EVENT}",
            "error",
            "created",
            FIXTURE_EVENT,
            "1170820242",
            "front-end",
            "webhook",
            "c6b2f2e1-0c4e-4a59-9b3e-8d3f2a1b0c9d",
            body,
        )
    ]


def test_org_and_provider_from_tags(url: str, settings: Settings) -> None:
    tags = [*d.ERROR_CREATED["data"]["error"]["tags"], ["org_id", d.OB], ["provider_id", d.PA], ["note_id", "N-1"]]
    assert send(url, d.error_created(tags=tags), "error").status_code == 200
    run_flatten(settings)
    [row] = errors(settings, "org_id", "provider_id", "tags")
    # the tag wins over the project map
    assert (row["org_id"], row["provider_id"]) == (d.OB, d.PA)
    assert json.loads(row["tags"])["note_id"] == "N-1"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"datetime": "2026-03-01T10:00:00Z"}, "2026-03-01 10:00:00.000000"),
        ({"datetime": "2026-03-01T10:00:00.5+02:00"}, "2026-03-01 08:00:00.500000"),
        ({"datetime": "2026-03-01T10:00:00.123456789-05:00"}, "2026-03-01 15:00:00.123456"),
        ({"datetime": None, "timestamp": 1772359200.25}, "2026-03-01 10:00:00.250000"),
    ],
)
def test_times_in_either_form(url: str, settings: Settings, fields: dict[str, Any], expected: str) -> None:
    assert send(url, d.error_created(**fields), "error").status_code == 200
    run_flatten(settings)
    assert errors(settings, "created_at") == [{"created_at": expected}]


def test_tampered_body_wrong_secret_or_missing_signature_store_nothing(url: str, settings: Settings) -> None:
    body = d.body_of(d.ERROR_CREATED)
    tampered = body.replace('"level": "error"', '"level": "fatal"')
    assert tampered != body
    assert post(url, tampered, d.sign(body), "error").status_code == 401
    assert post(url, body, d.sign(body, "not-the-secret"), "error").status_code == 401
    assert post(url, body, None, "error").status_code == 401
    assert post(url, body, "", "error").status_code == 401
    assert post(url, body, "sha256=" + d.sign(body), "error").status_code == 401
    # a signature check comes before anything is read from the body
    assert post(url, "not json", None, "error").status_code == 401
    assert counts(settings) == (0, 0)
    assert run_flatten(settings) == 0


def test_duplicate_delivery_is_stored_once(url: str, settings: Settings) -> None:
    assert send(url, d.ERROR_CREATED, "error").json()["duplicate"] is False
    again = send(url, d.ERROR_CREATED, "error")
    assert again.status_code == 200
    assert again.json() == {"received": True, "stored": False, "event_id": FIXTURE_EVENT, "duplicate": True}
    # the same event by another resource is another delivery, but still one error row
    alert = d.event_alert(FIXTURE_EVENT)
    assert send(url, alert, "event_alert").json()["duplicate"] is False
    assert send(url, alert, "event_alert").json()["duplicate"] is True
    run_flatten(settings)
    assert counts(settings) == (2, 1)


def test_oversized_body_is_refused(settings_for: Callable[..., Settings], settings: Settings) -> None:
    small = settings_for(webhook_max_body_bytes=2048, flatten_on_webhook=False)
    body = d.body_of(d.ERROR_CREATED)
    assert len(body) > 2048
    with serving(create_app(small)) as base:
        assert post(base + PATH, body, d.sign(body), "error").status_code == 413

        # the same limit holds when the body is streamed without a Content-Length
        def chunks() -> Iterator[bytes]:
            yield body.encode()[:1500]
            yield body.encode()[1500:]

        streamed = httpx.post(
            base + PATH,
            content=chunks(),
            headers={"Sentry-Hook-Signature": d.sign(body), "Sentry-Hook-Resource": "error"},
            timeout=30,
        )
        assert streamed.status_code == 413
    assert counts(settings) == (0, 0)


def test_bad_payloads_are_refused(url: str, settings: Settings) -> None:
    for body in ("not json at all", "[1, 2", b"\xff\xfe"):
        assert post(url, body, d.sign(body), "error").status_code == 400, body
    # correctly signed JSON, but not the payload its resource announces
    wrong = d.body_of({"action": "created", "data": {"issue": {"id": "1"}}})
    assert post(url, wrong, d.sign(wrong), "error").status_code == 400
    no_id = d.error_created(event_id="")
    assert send(url, no_id, "error").status_code == 400
    # no resource header
    body = d.body_of(d.ERROR_CREATED)
    assert post(url, body, d.sign(body), None).status_code == 400
    assert counts(settings) == (0, 0)


def test_other_resources_are_acknowledged_and_ignored(url: str, settings: Settings) -> None:
    installation = {"action": "created", "data": {"installation": {"uuid": "x"}}, "installation": {"uuid": "x"}}
    response = send(url, installation, "installation")
    assert response.status_code == 200
    assert response.json() == {"received": True, "stored": False, "ignored": "installation.created"}
    comment = {"action": "created", "data": {"comment": "hi", "issue_id": 100}}
    assert send(url, comment, "comment").json()["stored"] is False
    assert counts(settings) == (0, 0)


def test_issues_are_stored_and_give_the_group_figures(url: str, settings: Settings) -> None:
    created = send(url, d.issue("created"), "issue")
    assert created.status_code == 200
    assert created.json() == {"received": True, "stored": True, "event_id": None, "duplicate": False}
    assert send(url, d.issue("created"), "issue").json()["duplicate"] is True
    later = d.issue("resolved", status="resolved", count="7", lastSeen="2019-08-20T08:00:00Z")
    assert send(url, later, "issue").json()["stored"] is True
    # an issue state older than the stored one does not win
    assert send(url, d.issue("unresolved", count="3", lastSeen="2019-08-19T22:00:00Z"), "issue").status_code == 200
    assert counts(settings) == (3, 0)  # issues are no error rows
    assert send(url, d.ERROR_CREATED, "error").status_code == 200
    run_flatten(settings)
    assert errors(settings, "group_id", "group_first_seen", "group_last_seen", "group_count") == [
        {
            "group_id": "1170820242",
            "group_first_seen": "2019-08-19 20:58:37.391000",
            "group_last_seen": "2019-08-20 08:00:00.000000",
            "group_count": "7",
        }
    ]


def test_rotated_secrets(settings_for: Callable[..., Settings]) -> None:
    settings = settings_for(client_secrets=f"{d.SECRET}, {d.OLD_SECRET}", flatten_on_webhook=False)
    with serving(create_app(settings)) as base:
        assert send(base + PATH, d.ERROR_CREATED, "error", d.OLD_SECRET).status_code == 200
        assert send(base + PATH, d.EVENT_ALERT, "event_alert", d.SECRET).status_code == 200
        assert send(base + PATH, d.error_created("0" * 32), "error", "retired").status_code == 401
    assert counts(settings) == (2, 0)


def test_no_secret_configured(settings_for: Callable[..., Settings]) -> None:
    settings = settings_for(client_secrets=[])
    with serving(create_app(settings)) as base:
        assert send(base + PATH, d.ERROR_CREATED, "error").status_code == 503
    assert counts(settings) == (0, 0)


def test_store_failure_is_not_acknowledged(url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("vitals.sentry.webhook.store_delivery", broken)
    assert send(url, d.ERROR_CREATED, "error").status_code == 500
    assert counts(settings) == (0, 0)


def test_flattened_in_the_background_after_the_ack(settings_for: Callable[..., Settings]) -> None:
    settings = settings_for(project_org_map={"1": d.OA})  # flatten_on_webhook defaults to true; map by project id
    with serving(create_app(settings)) as base:
        assert send(base + PATH, d.ERROR_CREATED, "error").status_code == 200
        deadline = time.monotonic() + 30
        while counts(settings)[1] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert errors(settings, "event_id", "org_id") == [{"event_id": FIXTURE_EVENT, "org_id": d.OA}]


def test_router_mounts_in_another_app(settings: Settings) -> None:
    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(create_router(settings))
    with serving(app) as base:
        assert send(base + PATH, d.ERROR_CREATED, "error").status_code == 200
    assert counts(settings) == (1, 0)
