"""A local HTTP server answering the HubSpot CRM API calls of the pull, in HubSpot's documented JSON shapes.

- ``POST /crm/v3/objects/<type>/search``: ``filterGroups`` (``GTE`` on the modified property, epoch ms),
  ``sorts`` (ascending by it), ``properties``, ``limit``, ``after``; answers ``total``, ``results`` and
  ``paging.next.after`` while more remain.
- ``POST /crm/v3/objects/<type>/batch/read``: ``inputs``, ``properties``, ``propertiesWithHistory``; a merged
  deal's id answers its survivor, as HubSpot does.
- ``GET /crm/v3/objects/<type>?archived=true``: the archived objects, paged.
- ``POST /crm/v4/associations/<from>/<to>/batch/read``: each input's associated ids with their types.
- ``GET /crm/v3/pipelines/deals``: the default sales pipeline.

Requests need ``Authorization: Bearer <token>`` (else 401); ``fail_next`` answers the next requests with the
given statuses first (a 429 carries ``Retry-After: 0``). Every request is recorded.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.local_http import Answer, Get, serve_json

Obj = dict[str, Any]

MODIFIED = {"contacts": "lastmodifieddate"}
"""The last-modified property of each object type (``hs_lastmodifieddate`` when not listed)."""


def _stage(stage_id: str, label: str, closed: bool, probability: str) -> Obj:
    return {"id": stage_id, "label": label, "metadata": {"isClosed": str(closed).lower(), "probability": probability}}


PIPELINE = {
    "id": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "archived": False,
    "stages": [
        _stage("appointmentscheduled", "Appointment Scheduled", False, "0.2"),
        _stage("qualifiedtobuy", "Qualified To Buy", False, "0.4"),
        _stage("contractsent", "Contract Sent", False, "0.9"),
        _stage("closedwon", "Closed Won", True, "1.0"),
        _stage("closedlost", "Closed Lost", True, "0.0"),
    ],
}


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


@dataclass
class FakeHubSpot:
    """A portal's objects (by type, then id), their associations and deleted deals."""

    token: str
    objects: dict[str, dict[str, Obj]] = field(default_factory=dict)
    archived: dict[str, dict[str, Obj]] = field(default_factory=dict)
    associations: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    """(from type, from id, to type) -> associated ids, the first labelled primary."""
    merged_into: dict[str, str] = field(default_factory=dict)
    """Merged deal id -> its surviving deal's id."""
    fail_next: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def add(self, kind: str, obj: Obj) -> None:
        """Add or replace an object."""
        self.objects.setdefault(kind, {})[obj["id"]] = obj

    def link(self, source: str, source_id: str, target: str, *target_ids: str) -> None:
        """Associate an object with others (the first is the primary)."""
        self.associations[(source, source_id, target)] = list(target_ids)

    def archive(self, kind: str, object_id: str, at: str) -> None:
        """Delete an object: it leaves the search and appears in the archived list."""
        obj = self.objects[kind].pop(object_id)
        self.archived.setdefault(kind, {})[object_id] = {**obj, "archived": True, "archivedAt": at}

    def searched(self, kind: str) -> list[Request]:
        """The search requests made for ``kind``."""
        return [q for q in self.requests if q.path == f"/crm/v3/objects/{kind}/search"]

    def read_ids(self, kind: str) -> list[str]:
        """Every id asked for in batch reads of ``kind``, in order."""
        return [
            i["id"] for q in self.requests if q.path == f"/crm/v3/objects/{kind}/batch/read" for i in q.body["inputs"]
        ]

    def respond(self, request: Get) -> Answer:
        self.requests.append(Request(request.method, request.path, request.query, request.body))
        if self.fail_next:
            status = self.fail_next.pop(0)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return Answer(status, {"status": "error", "message": "You have reached your secondly limit."}, headers)
        if request.authorization != f"Bearer {self.token}":
            body = {
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
            }
            return Answer(401, body)
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and parts[:3] == ["crm", "v3", "objects"] and parts[4:] == ["search"]:
            return Answer(200, self._search(parts[3], request.body))
        if request.method == "POST" and parts[:3] == ["crm", "v3", "objects"] and parts[4:] == ["batch", "read"]:
            return Answer(200, self._batch_read(parts[3], request.body))
        if request.method == "GET" and parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4:
            return Answer(200, self._archived(parts[3], request.query))
        if request.method == "POST" and parts[:3] == ["crm", "v4", "associations"] and parts[5:] == ["batch", "read"]:
            return Answer(200, self._associations(parts[3], parts[4], request.body))
        if request.method == "GET" and parts == ["crm", "v3", "pipelines", "deals"]:
            return Answer(200, {"results": [PIPELINE]})
        return Answer(404, {"status": "error", "message": f"no route {request.method} {request.path}"})

    def _search(self, kind: str, body: Obj) -> Obj:
        modified = MODIFIED.get(kind, "hs_lastmodifieddate")
        assert body["sorts"] == [{"propertyName": modified, "direction": "ASCENDING"}]
        items = sorted(self.objects.get(kind, {}).values(), key=lambda o: (_ms(o["properties"][modified]), o["id"]))
        for group in body.get("filterGroups") or []:
            for rule in group["filters"]:
                assert (rule["propertyName"], rule["operator"]) == (modified, "GTE")
                items = [o for o in items if _ms(o["properties"][modified]) >= int(rule["value"])]
        offset, limit = int(body.get("after") or 0), int(body["limit"])
        page = [_shown(o, body.get("properties") or [], ()) for o in items[offset : offset + limit]]
        answer: Obj = {"total": len(items), "results": page}
        if offset + limit < len(items):
            answer["paging"] = {"next": {"after": str(offset + limit), "link": "?after=" + str(offset + limit)}}
        return answer

    def _batch_read(self, kind: str, body: Obj) -> Obj:
        found = []
        for item in body["inputs"]:
            object_id = self.merged_into.get(item["id"], item["id"]) if kind == "deals" else item["id"]
            obj = self.objects.get(kind, {}).get(object_id)
            if obj is not None:
                found.append(_shown(obj, body.get("properties") or [], body.get("propertiesWithHistory") or []))
        stamp = "2026-06-01T00:00:00.000Z"
        return {"status": "COMPLETE", "results": found, "startedAt": stamp, "completedAt": stamp}

    def _archived(self, kind: str, query: dict[str, list[str]]) -> Obj:
        assert query.get("archived", [""])[0].lower() == "true"
        items = sorted(self.archived.get(kind, {}).values(), key=lambda o: o["id"])
        offset, limit = int(query.get("after", ["0"])[0]), int(query["limit"][0])
        page = [_shown(o, query.get("properties", []), ()) for o in items[offset : offset + limit]]
        answer: Obj = {"results": page}
        if offset + limit < len(items):
            answer["paging"] = {"next": {"after": str(offset + limit)}}
        return answer

    def _associations(self, source: str, target: str, body: Obj) -> Obj:
        results = []
        for item in body["inputs"]:
            linked = self.associations.get((source, item["id"], target), [])
            if linked:
                to = [{"toObjectId": int(t), "associationTypes": [_association(i == 0)]} for i, t in enumerate(linked)]
                results.append({"from": {"id": item["id"]}, "to": to})
        stamp = "2026-06-01T00:00:00.000Z"
        return {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}


def _association(primary: bool) -> Obj:
    return {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary" if primary else None}


def _shown(obj: Obj, properties: list[str], history: list[str] | tuple[str, ...]) -> Obj:
    """The object as the API shows it: only the asked properties (plus the ones HubSpot always adds)."""
    shown = {k: v for k, v in obj.items() if k not in ("properties", "propertiesWithHistory")}
    always = ("hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate")
    shown["properties"] = {k: v for k, v in obj["properties"].items() if k in properties or k in always}
    if history:
        found = obj.get("propertiesWithHistory") or {}
        shown["propertiesWithHistory"] = {k: copy.deepcopy(found.get(k, [])) for k in history}
    return shown


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


@contextmanager
def serve(fake: FakeHubSpot) -> Iterator[str]:
    """Run the fake on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    with serve_json(fake.respond) as url:
        yield url
