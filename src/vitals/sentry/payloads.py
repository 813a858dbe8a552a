"""What a Sentry payload says: the delivery it is, and the error event or issue inside it.

Two event shapes are understood, both as Sentry sends them:

- the webhook event (``data.error`` of ``error.created``, ``data.event`` of ``event_alert.triggered``):
  ``event_id``, ``issue_id``, ``datetime`` (ISO) or ``timestamp`` (epoch), ``tags`` as ``[[key, value], ...]``,
  ``project`` (numeric id) and ``url`` (``.../projects/<org>/<project slug>/events/<id>/``);
- the REST API event (``GET /api/0/projects/{org}/{project}/events/``): ``eventID``, ``groupID``,
  ``dateCreated``, ``tags`` as ``[{"key": ..., "value": ...}, ...]``, ``projectID``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

RESOURCES = ("error", "event_alert", "issue")
"""The webhook resources stored; any other (installation, comment, metric_alert, ...) is acknowledged
and ignored."""

ACCEPTED = {"error": {"created"}, "event_alert": {"triggered"}}
"""The actions stored per resource (every action of ``issue`` is)."""

API_RESOURCE = "api"
"""``resource`` of events fetched by a REST backfill."""

EVENT_KEY = {"error": "error", "event_alert": "event"}
"""Where each resource's payload holds its event (``data.<key>``)."""

_PROJECT_URL = re.compile(r"/projects/[^/]+/([^/]+)/events/")
_EVENT_ID = re.compile(r"^[0-9a-fA-F-]{16,40}$")


class InvalidPayload(ValueError):
    """The body is JSON but not the Sentry payload its resource header announces."""


@dataclass(frozen=True)
class Delivery:
    """One payload to store: its dedupe key and the columns it is found by."""

    key: str
    resource: str
    action: str
    event_id: str | None
    issue_id: str | None
    project: str | None


def accepts(resource: str, action: str) -> bool:
    """Whether a delivery of this resource and action is stored."""
    if resource == "issue":
        return bool(action)
    return action in ACCEPTED.get(resource, set())


def parse_delivery(resource: str, payload: Any) -> Delivery:
    """The delivery a verified, accepted payload is; ``InvalidPayload`` when its shape is wrong."""
    if not isinstance(payload, Mapping):
        raise InvalidPayload("the body is not a JSON object")
    action = payload.get("action")
    data = payload.get("data")
    if not isinstance(action, str) or not isinstance(data, Mapping):
        raise InvalidPayload("the payload has no action or data")
    if resource == "issue":
        issue = data.get("issue")
        issue_id = _text(issue.get("id")) if isinstance(issue, Mapping) else None
        if not isinstance(issue, Mapping) or issue_id is None:
            raise InvalidPayload("an issue payload needs data.issue with an id")
        digest = hashlib.md5(canonical_json(issue).encode("utf-8")).hexdigest()
        project = issue.get("project")
        slug = (_text(project.get("slug")) or _text(project.get("id"))) if isinstance(project, Mapping) else None
        return Delivery(f"issue.{action}:{issue_id}:{digest}", resource, action, None, issue_id, slug)
    event = data.get(EVENT_KEY[resource])
    if not isinstance(event, Mapping):
        raise InvalidPayload(f"a {resource} payload needs data.{EVENT_KEY[resource]}")
    event_id = event_id_of(event)
    if event_id is None:
        raise InvalidPayload("the event has no valid event_id")
    return Delivery(
        f"{resource}.{action}:{event_id}", resource, action, event_id, group_of(event), project_of(event, None)
    )


def api_delivery(event: Mapping[str, Any], project: str) -> Delivery | None:
    """The delivery of one backfilled REST event (None when it has no event id)."""
    event_id = event_id_of(event)
    if event_id is None:
        return None
    return Delivery(
        f"{API_RESOURCE}.event:{event_id}", API_RESOURCE, "event", event_id, group_of(event), project_of(event, project)
    )


def event_of(resource: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event inside a stored payload (a backfilled body is the event itself)."""
    if resource == API_RESOURCE:
        return payload
    event = payload.get("data", {}).get(EVENT_KEY.get(resource, ""))
    return event if isinstance(event, Mapping) else {}


def event_id_of(event: Mapping[str, Any]) -> str | None:
    """The event id (hex, lowercased), from ``event_id`` or ``eventID``."""
    value = _text(event.get("event_id")) or _text(event.get("eventID"))
    if value is None or not _EVENT_ID.match(value):
        return None
    return value.lower()


def group_of(event: Mapping[str, Any]) -> str | None:
    """The event's issue (group) id."""
    return _text(event.get("issue_id")) or _text(event.get("groupID")) or _text(event.get("group_id"))


def project_of(event: Mapping[str, Any], fallback: str | None) -> str | None:
    """The project slug (from the event's API url, else ``fallback``), else its numeric id."""
    url = event.get("url")
    if isinstance(url, str) and (found := _PROJECT_URL.search(url)):
        return found.group(1)
    return fallback or _text(event.get("project")) or _text(event.get("projectID"))


def tags_of(event: Mapping[str, Any]) -> dict[str, str]:
    """Tags as one object: from ``[[key, value], ...]``, ``[{"key": k, "value": v}, ...]`` or an object.
    The first value of a repeated key wins; keys and values are text."""
    raw = event.get("tags")
    pairs: list[tuple[Any, Any]] = []
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, list | tuple) and len(item) == 2:
                pairs.append((item[0], item[1]))
            elif isinstance(item, Mapping) and "key" in item:
                pairs.append((item.get("key"), item.get("value")))
    tags: dict[str, str] = {}
    for key, value in pairs:
        if isinstance(key, str) and key and key not in tags and value is not None:
            tags[key] = value if isinstance(value, str) else json.dumps(value)
    return tags


def timestamp_text(value: Any) -> str | None:
    """A Sentry time as UTC ``YYYY-MM-DD HH:MM:SS.ffffff``: ISO 8601 (``Z`` or an offset, with or without
    fractional seconds; no offset means UTC) or epoch seconds (number or digits). None when unreadable."""
    if value is None or isinstance(value, bool):
        return None
    moment: datetime | None = None
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            moment = _iso(text)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _iso(text: str) -> datetime | None:
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    # Python < 3.11.? and some senders give 1-5 or 7-9 fraction digits: keep microseconds
    match = re.match(r"^(.*T?\d{2}:\d{2}:\d{2})\.(\d+)(.*)$", text)
    if match:
        text = f"{match.group(1)}.{match.group(2)[:6].ljust(6, '0')}{match.group(3)}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (the same value gives the same text)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None
