"""Stored Sentry deliveries -> ``sentry_errors_big`` rows (one per error event).

Every stored error event (``error.created``, ``event_alert.triggered``, backfilled) whose ``event_id`` is
not yet in ``raw.sentry_errors_big`` becomes one row, from its first stored copy:

- org_id: the tag ``sentry.org_tag`` (default ``org_id``), else ``sentry.project_org_map`` for the event's
  project slug, else for its numeric id; provider_id: the tag ``sentry.provider_tag``;
- project: the slug (from the event's API url, or the backfilled project), else the numeric id;
- group_id: the issue id; message: the title (else the message); url: the request's URL, else the
  ``url`` tag; environment, release: the event's, else their tags; user_id_raw: ``user.id``;
- created_at: ``datetime`` / ``dateCreated`` (either ISO form), else the epoch ``timestamp``, as UTC text;
- tags: one JSON object (pairs or ``{key, value}`` lists); contexts: the JSON of ``contexts``;
- group_first_seen, group_last_seen, group_count: from the newest stored ``issue.*`` delivery of the group
  (by ``lastSeen``, then arrival), when one was stored before the error was flattened;
- _ingest_source: ``sentry_webhook`` or ``sentry_api``; _ingest_ts: when the copy was received.

Landing goes through ``vitals.ingest.landing`` (a row whose hash is already there is never landed again),
so flattening twice lands nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, ROW_HASH_COLUMN, SENTRY_ERRORS
from vitals.ingest.landing import LoadRecord, land_batches, new_load_id, record_load, transaction, utc_now_text
from vitals.ingest.report import LoadReport, TableLoad
from vitals.ingest.sanitize import row_hash
from vitals.sentry import payloads as p
from vitals.sentry.settings import SentrySettings
from vitals.sentry.store import BACKFILL, WRITE_LOCK, ensure_tables
from vitals.sentry.tables import DELIVERIES
from vitals.warehouse.base import Warehouse

Row = dict[str, str | None]

FLATTEN_SOURCE = "sentry:flatten"
"""``raw._loads.source`` of flatten runs."""

SOURCES = {"webhook": "sentry_webhook", BACKFILL: "sentry_api"}
"""``_ingest_source`` of flattened rows, by how the error's copy arrived."""

_EVENT_RESOURCES = ("error", "event_alert", p.API_RESOURCE)
_CHUNK = 500


def flatten(warehouse: Warehouse, settings: SentrySettings, load_id: str | None = None) -> LoadReport:
    """Flatten the stored error events not yet landed (idempotent: a re-run lands nothing).

    The bodies are read and flattened ``_CHUNK`` at a time, so a large backfill is never all in memory; the
    rows land in one transaction."""
    report = LoadReport(load_id=load_id or new_load_id())
    ensure_tables(warehouse)
    started_at, started = utc_now_text(), time.perf_counter()
    counted = {"read": 0, "unreadable": 0}

    def batches(keys: list[str]) -> Iterator[pa.RecordBatch]:
        for first in range(0, len(keys), _CHUNK):
            pending = _bodies(warehouse, keys[first : first + _CHUNK])
            issues = _issues(warehouse, {g for _, event, _, _ in pending if (g := p.group_of(event))})
            rows = [
                _readable_row(event, project, via, received, settings, issues)
                for _, event, project, (via, received) in pending
            ]
            counted["read"] += len(rows)
            counted["unreadable"] += sum(1 for r in rows if r is None)
            yield _batch([r for r in rows if r is not None])

    with WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, SENTRY_ERRORS.name)  # another process's flatten waits here
        inserted = land_batches(warehouse, SENTRY_ERRORS, batches(_pending_keys(warehouse)))
        record_load(
            warehouse,
            LoadRecord(
                report.load_id,
                FLATTEN_SOURCE,
                SENTRY_ERRORS.name,
                counted["read"],
                inserted,
                started_at,
                utc_now_text(),
            ),
        )
    entry = TableLoad(SENTRY_ERRORS.name, FLATTEN_SOURCE, counted["read"], inserted, time.perf_counter() - started)
    if counted["unreadable"]:
        entry.notes.append(f"{counted['unreadable']} stored event(s) without a readable time or shape were not landed")
    report.tables.append(entry)
    return report


def _readable_row(
    event: Mapping[str, Any],
    project: str | None,
    via: str,
    received_at: str,
    settings: SentrySettings,
    issues: Mapping[str, Mapping[str, Any]],
) -> Row | None:
    """``error_row``, or None (counted as unreadable) for an event of a shape Sentry never sends: one such
    stored event must not stop every other from landing."""
    try:
        return error_row(event, project, via, received_at, settings, issues)
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError):
        return None


def error_row(
    event: Mapping[str, Any],
    project: str | None,
    via: str,
    received_at: str,
    settings: SentrySettings,
    issues: Mapping[str, Mapping[str, Any]],
) -> Row | None:
    """The ``sentry_errors_big`` row of one stored event (None when it has no readable time)."""
    created = p.timestamp_text(event.get("datetime") or event.get("dateCreated")) or p.timestamp_text(
        event.get("timestamp")
    )
    event_id = p.event_id_of(event)
    if created is None or event_id is None:
        return None
    tags = p.tags_of(event)
    project = project or p.project_of(event, None)
    group_id = p.group_of(event)
    issue = issues.get(group_id or "", {})
    return {
        "event_id": event_id,
        "org_id": _org(tags, project, event, settings),
        "provider_id": tags.get(settings.provider_tag) or None,
        "project": project,
        "group_id": group_id,
        "level": _text(event.get("level")) or tags.get("level"),
        "message": _text(event.get("title")) or _text(event.get("message")),
        "culprit": _text(event.get("culprit")),
        "release": _release(event) or tags.get("release"),
        "environment": _text(event.get("environment")) or tags.get("environment"),
        "url": _text(_get(event, "request", "url")) or tags.get("url"),
        "user_id_raw": _text(_get(event, "user", "id")),
        "created_at": created,
        "tags": json.dumps(tags, ensure_ascii=False),
        "contexts": json.dumps(event["contexts"], ensure_ascii=False)
        if isinstance(event.get("contexts"), Mapping)
        else None,
        "group_first_seen": p.timestamp_text(issue.get("firstSeen")),
        "group_last_seen": p.timestamp_text(issue.get("lastSeen")),
        "group_count": _count(issue.get("count")),
        "_ingest_source": SOURCES.get(via, via),
        "_ingest_ts": received_at,
    }


def pending(warehouse: Warehouse) -> bool:
    """Whether a stored error event is not in ``raw.sentry_errors_big`` yet (an acknowledged delivery whose
    background flatten never ran, e.g. the process was killed first)."""
    if not warehouse.table_exists(RAW_SCHEMA, DELIVERIES.name):
        return False
    if not warehouse.table_exists(RAW_SCHEMA, SENTRY_ERRORS.name):
        return True
    kinds = ", ".join("?" for _ in _EVENT_RESOURCES)
    found = warehouse.query(
        f"select 1 from {RAW_SCHEMA}.{DELIVERIES.name} as d "
        f"where d.resource in ({kinds}) and d.event_id is not null and not exists ("
        f"select 1 from {RAW_SCHEMA}.{SENTRY_ERRORS.name} as e where e.event_id = d.event_id) limit 1",
        list(_EVENT_RESOURCES),
    )
    return bool(found)


def flatten_pending(warehouse: Warehouse, settings: SentrySettings) -> LoadReport | None:
    """``flatten`` when stored errors are pending (``pending``); None when there was nothing to do."""
    return flatten(warehouse, settings) if pending(warehouse) else None


def _pending_keys(warehouse: Warehouse) -> list[str]:
    """The delivery key of the first stored copy of each error event not yet in ``raw.sentry_errors_big``,
    in arrival order."""
    kinds = ", ".join("?" for _ in _EVENT_RESOURCES)
    rows = warehouse.query(
        f"select d.event_id, d.delivery_key from {RAW_SCHEMA}.{DELIVERIES.name} as d "
        f"where d.resource in ({kinds}) and d.event_id is not null and not exists ("
        f"select 1 from {RAW_SCHEMA}.{SENTRY_ERRORS.name} as e where e.event_id = d.event_id) "
        f"order by d.received_at, d.delivery_key",
        list(_EVENT_RESOURCES),
    )
    first: dict[str, str] = {}
    for event_id, key in rows:
        first.setdefault(event_id, key)
    return list(first.values())


def _bodies(
    warehouse: Warehouse, keys: Sequence[str]
) -> list[tuple[str, Mapping[str, Any], str | None, tuple[str, str]]]:
    """(event id, event, project, (via, received_at)) of the given deliveries, in the order of ``keys``."""
    if not keys:
        return []
    marks = ", ".join("?" for _ in keys)
    rows = warehouse.query(
        f"select delivery_key, event_id, resource, body, project, received_via, received_at "
        f"from {RAW_SCHEMA}.{DELIVERIES.name} where delivery_key in ({marks})",
        list(keys),
    )
    found = {
        key: (event_id, p.event_of(resource, json.loads(body)), project, (via, received or ""))
        for key, event_id, resource, body, project, via, received in rows
    }
    return [found[key] for key in keys if key in found]


def _issues(warehouse: Warehouse, group_ids: Iterable[str]) -> dict[str, Mapping[str, Any]]:
    """The newest stored state of each issue (by ``lastSeen``, then arrival)."""
    ids = sorted(group_ids)
    newest: dict[str, tuple[tuple[str, str], Mapping[str, Any]]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = warehouse.query(
            f"select issue_id, body, received_at from {RAW_SCHEMA}.{DELIVERIES.name} "
            f"where resource = 'issue' and issue_id in ({marks})",
            chunk,
        )
        for issue_id, body, received in rows:
            issue = json.loads(body).get("data", {}).get("issue", {})
            order = (p.timestamp_text(issue.get("lastSeen")) or "", received or "")
            if issue_id not in newest or order > newest[issue_id][0]:
                newest[issue_id] = (order, issue)
    return {issue_id: issue for issue_id, (_, issue) in newest.items()}


def _org(
    tags: Mapping[str, str], project: str | None, event: Mapping[str, Any], settings: SentrySettings
) -> str | None:
    tagged = tags.get(settings.org_tag, "").strip()
    if tagged:
        return tagged
    for key in (project, _text(event.get("project")), _text(event.get("projectID"))):
        if key and settings.project_org_map.get(key):
            return settings.project_org_map[key]
    return None


def _release(event: Mapping[str, Any]) -> str | None:
    release = event.get("release")
    if isinstance(release, Mapping):  # the REST API's full event gives the release object
        return _text(release.get("version"))
    return _text(release)


def _count(value: Any) -> str | None:
    text = _text(value)
    return text if text is not None and text.isdigit() else None


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float):
        return str(value)
    return None


def _batch(rows: Sequence[Row]) -> pa.RecordBatch:
    """Rows with their ``_row_hash`` (distinct) and ``_loaded_at``, as the landing code takes them."""
    loaded_at = utc_now_text()
    seen: dict[str, Row] = {}
    for row in rows:
        seen.setdefault(row_hash([row.get(c) for c in SENTRY_ERRORS.column_names]), row)
    columns = {c: pa.array([r.get(c) for r in seen.values()], pa.string()) for c in SENTRY_ERRORS.column_names}
    columns[ROW_HASH_COLUMN] = pa.array(list(seen), pa.string())
    columns[LOADED_AT_COLUMN] = pa.array([loaded_at] * len(seen), pa.string())
    return pa.RecordBatch.from_pydict(columns)
