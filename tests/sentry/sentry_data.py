"""Sentry payloads for the tests, built on the shared fixtures (``error.created``, ``event_alert.triggered``)
and Sentry's documented issue webhook and REST event shapes, plus the settings the tests run with.

Every builder deep-copies a real payload and overrides only the fields a test reasons about.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from vitals.config import Settings

FIXTURES = Path("/work/shared/fixtures/sentry")
ERROR_CREATED: dict[str, Any] = json.loads((FIXTURES / "error.created.json").read_text())
EVENT_ALERT: dict[str, Any] = json.loads((FIXTURES / "event_alert.triggered.json").read_text())

SECRET = "sentry-client-secret-current"
OLD_SECRET = "sentry-client-secret-previous"

OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
PA = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"

ISSUE_CREATED: dict[str, Any] = {
    # Sentry's documented issue.created payload (docs: integration-platform/webhooks/issues), the issue of
    # the shared error.created fixture
    "action": "created",
    "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
    "data": {
        "issue": {
            "annotations": [],
            "assignedTo": None,
            "count": "1",
            "culprit": "?(runner)",
            "firstSeen": "2019-08-19T20:58:37.391000Z",
            "hasSeen": False,
            "id": "1170820242",
            "isBookmarked": False,
            "isPublic": False,
            "isSubscribed": False,
            "lastSeen": "2019-08-19T20:58:37.391000Z",
            "level": "error",
            "logger": None,
            "metadata": {"filename": "/runner", "type": "ReferenceError", "value": "blooopy is not defined"},
            "numComments": 0,
            "permalink": None,
            "platform": "javascript",
            "project": {"id": "1", "name": "front-end", "platform": "", "slug": "front-end"},
            "shareId": None,
            "shortId": "FRONT-END-9",
            "status": "unresolved",
            "statusDetails": {},
            "subscriptionDetails": None,
            "substatus": "escalating",
            "title": "ReferenceError: blooopy is not defined",
            "type": "error",
            "userCount": 1,
        }
    },
    "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
}

REST_EVENT: dict[str, Any] = {
    # the documented item of GET /api/0/projects/{org}/{project}/events/
    "eventID": "9fac2ceed9344f2bbfdd1fdacb0ed9b1",
    "tags": [
        {"key": "browser", "value": "Chrome 60.0"},
        {"key": "device", "value": "Other"},
        {"key": "environment", "value": "production"},
        {"value": "fatal", "key": "level"},
        {"key": "os", "value": "Mac OS X 10.12.6"},
        {"value": "CPython 2.7.16", "key": "runtime"},
        {"key": "release", "value": "17642328ead24b51867165985996d04b29310337"},
        {"key": "server_name", "value": "web1.example.com"},
    ],
    "dateCreated": "2020-09-11T17:46:36Z",
    "user": None,
    "message": "",
    "title": "This is an example Python exception",
    "id": "dfb1a2d057194e76a4186cc8a5271553",
    "platform": "python",
    "event.type": "error",
    "groupID": "1889724436",
    "crashFile": None,
    "location": "example.py:123",
    "culprit": "/books/new/",
    "projectID": "49271",
    "metadata": None,
}


def make_settings(tmp_path: Path, engine: str = "duckdb", pg_dsn: str | None = None, **sentry: Any) -> Settings:
    """Settings for a throwaway warehouse with the given ``sentry`` options (secret defaults to SECRET)."""
    base: dict[str, Any] = {
        "engine": engine,
        "warehouse": tmp_path / "vitals.duckdb",
        "state_dir": tmp_path / ".vitals",
    }
    if engine == "postgres":
        base["postgres"] = {"dsn": pg_dsn}
    base["sentry"] = {"client_secrets": [SECRET], **sentry}
    return Settings(**base)


def sign(body: str | bytes, secret: str = SECRET) -> str:
    """The Sentry-Hook-Signature Sentry computes: hex HMAC-SHA256 of the raw body with the client secret."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()


def error_created(event_id: str | None = None, **event: Any) -> dict[str, Any]:
    """The shared error.created fixture, with its event's fields overridden."""
    payload = copy.deepcopy(ERROR_CREATED)
    if event_id is not None:
        event["event_id"] = event_id
    payload["data"]["error"].update(event)
    return payload


def event_alert(event_id: str | None = None, **event: Any) -> dict[str, Any]:
    """The shared event_alert.triggered fixture, with its event's fields overridden."""
    payload = copy.deepcopy(EVENT_ALERT)
    if event_id is not None:
        event["event_id"] = event_id
    payload["data"]["event"].update(event)
    return payload


def issue(action: str = "created", **fields: Any) -> dict[str, Any]:
    """Sentry's issue payload with the given action and issue fields."""
    payload = copy.deepcopy(ISSUE_CREATED)
    payload["action"] = action
    payload["data"]["issue"].update(fields)
    return payload


def rest_event(event_id: str, date_created: str, **fields: Any) -> dict[str, Any]:
    """A REST API event with its own id and time."""
    return {**copy.deepcopy(REST_EVENT), "eventID": event_id, "id": event_id, "dateCreated": date_created, **fields}


def body_of(payload: dict[str, Any]) -> str:
    """The JSON Sentry posts (its serializer's default separators)."""
    return json.dumps(payload)
