"""The durable store of raw Stripe data: verified events and every object state, idempotently.

A webhook event is written (``raw.stripe_events`` plus its object's state in ``raw.stripe_objects``)
in one transaction, skipped when its ``event_id`` is already there; the caller acknowledges only
after the commit. A backfill page is written in one transaction; an object whose current stored
state has the same JSON is skipped, so re-running a backfill stores nothing new.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from vitals.contracts import RAW_SCHEMA
from vitals.ingest.landing import transaction, utc_now_text
from vitals.json_body import value_problem
from vitals.stripe import objects as o
from vitals.stripe.tables import CUSTOMER_ORGS, EVENTS, OBJECTS, STATE_TABLES, SUBSCRIPTION_ITEMS
from vitals.warehouse.base import Warehouse
from vitals.webhook_support import rebuild_duckdb_index

WEBHOOK = "webhook"
BACKFILL = "backfill"

_WRITE_LOCK = threading.Lock()
"""Serializes this process's writes (DuckDB allows one writer; concurrent deliveries queue here)."""


class InvalidEvent(ValueError):
    """The body is JSON but not a Stripe event with an object."""


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the raw schema and the Stripe raw tables (and the shared raw tables) if missing."""
    warehouse.ensure_raw_tables()
    for table in STATE_TABLES:
        warehouse.create_table(RAW_SCHEMA, table.name, table.columns)
    item_columns = [*SUBSCRIPTION_ITEMS.column_names, "_row_hash", "_loaded_at"]
    if warehouse.table_exists(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name):
        found = warehouse.query_arrow(f"select * from {RAW_SCHEMA}.{SUBSCRIPTION_ITEMS.name} where 1 = 0")
        if found.column_names != item_columns:  # derived from stripe_objects: the next flatten lands it again
            warehouse.drop_table(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name)
    warehouse.create_table(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name, [(c, "text") for c in item_columns])
    if warehouse.engine in ("duckdb", "postgres"):
        # one row per event: a duplicate delivery that slipped past the check fails instead of landing twice
        warehouse.execute(
            f"create unique index if not exists {EVENTS.name}_event_id_uq on {RAW_SCHEMA}.{EVENTS.name} (event_id)"
        )
        warehouse.execute(
            f"create index if not exists {OBJECTS.name}_object_id_idx on {RAW_SCHEMA}.{OBJECTS.name} (object_id)"
        )


def repair_indexes(warehouse: Warehouse) -> int:
    """Rebuild the event-id and object-id indexes (DuckDB, after a possible crash:
    ``rebuild_duckdb_index``); the duplicate events removed."""
    with _WRITE_LOCK:
        removed = rebuild_duckdb_index(
            warehouse, RAW_SCHEMA, EVENTS.name, f"{EVENTS.name}_event_id_uq", "event_id", unique=True
        )
        rebuild_duckdb_index(
            warehouse, RAW_SCHEMA, OBJECTS.name, f"{OBJECTS.name}_object_id_idx", "object_id", unique=False
        )
    return removed


@dataclass(frozen=True)
class StoredEvent:
    """What storing one webhook event did."""

    event_id: str
    event_type: str
    duplicate: bool


def parse_event(body: str) -> dict[str, Any]:
    """The event in a webhook body; ``json.JSONDecodeError`` or ``InvalidEvent`` when it is not one (also:
    nested too deeply, or holding a lone surrogate that no table can store)."""
    try:
        event = json.loads(body)
    except RecursionError:
        raise InvalidEvent("the JSON is nested too deeply") from None
    problem = value_problem(event)
    if problem is not None:
        raise InvalidEvent(problem)
    if not isinstance(event, dict) or event.get("object") != "event":
        raise InvalidEvent("the body is not a Stripe event (object != 'event')")
    if not isinstance(event.get("id"), str) or not event["id"]:
        raise InvalidEvent("the event has no id")
    if not isinstance(event.get("type"), str) or o.as_int(event.get("created")) is None:
        raise InvalidEvent("the event has no type or created time")
    if not o.MIN_EPOCH <= int(o.as_int(event.get("created")) or 0) <= o.MAX_EPOCH:
        raise InvalidEvent("the event's created time is out of range (epoch seconds from 1970 to 9999)")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidEvent("the event has no data.object")
    try:  # what storing reads of the object: a shape Stripe never sends is a 400, not a 500 retried forever
        _object_row(
            data["object"],
            state_ts="",
            via="",
            event_id=None,
            event_type=None,
            api_version=None,
            deleted=False,
            loaded_at="",
        )
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError):
        raise InvalidEvent("data.object is not shaped like a Stripe object") from None
    return event


def store_event(warehouse: Warehouse, body: str, event: Mapping[str, Any]) -> StoredEvent:
    """Store a verified event (its body verbatim, and its object's state) unless its id is stored."""
    event_id = str(event["id"])
    event_type = str(event["type"])
    created = int(o.as_int(event["created"]) or 0)
    now = utc_now_text()
    with _WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, EVENTS.name)
        if warehouse.query(f"select 1 from {RAW_SCHEMA}.{EVENTS.name} where event_id = ?", [event_id]):
            return StoredEvent(event_id, event_type, duplicate=True)
        row = {
            "event_id": event_id,
            "event_type": event_type,
            "api_version": _text(event.get("api_version")),
            "created_at": o.ts_text(created),
            "livemode": _text(event.get("livemode")),
            "body": body,
            "received_at": now,
        }
        warehouse.append_arrow(RAW_SCHEMA, EVENTS.name, _table([row], EVENTS.columns))
        state = _object_row(
            event["data"]["object"],
            state_ts=o.epoch_state_text(created),
            via=WEBHOOK,
            event_id=event_id,
            event_type=event_type,
            api_version=_text(event.get("api_version")),
            deleted=event_type.endswith(".deleted"),
            loaded_at=now,
        )
        if state is not None:
            warehouse.append_arrow(RAW_SCHEMA, OBJECTS.name, _table([state], OBJECTS.columns))
    return StoredEvent(event_id, event_type, duplicate=False)


def store_objects(
    warehouse: Warehouse, items: Sequence[Mapping[str, Any]], fetched_at: datetime, api_version: str | None
) -> int:
    """Store one backfill page of objects (their state at ``fetched_at``); return how many were new."""
    now = utc_now_text()
    rows = [
        row
        for item in items
        if (row := _object_row(item, o.state_text(fetched_at), BACKFILL, None, None, api_version, False, now))
    ]
    if not rows:
        return 0
    with _WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, OBJECTS.name)
        current = latest_states(warehouse, [str(r["object_id"]) for r in rows])
        hashes = {oid: _hash_of(s.payload) for oid, s in current.items()}
        new = [r for r in rows if hashes.get(str(r["object_id"])) != r["payload_hash"]]
        unique = list({(r["object_id"], r["payload_hash"]): r for r in new}.values())
        if unique:
            warehouse.append_arrow(RAW_SCHEMA, OBJECTS.name, _table(unique, OBJECTS.columns))
    return len(unique)


def read_states(warehouse: Warehouse, types: Iterable[str] | None = None) -> list[o.ObjectState]:
    """Every stored object state (of the given object types)."""
    where, params = "", None
    if types is not None:
        kinds = list(types)
        where = f" where object_type in ({', '.join('?' for _ in kinds)})"
        params = kinds
    rows = warehouse.query(
        "select object_id, object_type, state_ts, object_ts, lifecycle_rank, received_via, event_id, payload, "
        f"_loaded_at, is_deleted from {RAW_SCHEMA}.{OBJECTS.name}{where}",
        params,
    )
    return [
        o.ObjectState(
            object_id=r[0],
            object_type=r[1],
            state_ts=r[2] or "",
            object_ts=r[3] or "",
            lifecycle_rank=int(r[4] or 0),
            received_via=r[5],
            event_id=r[6],
            payload=json.loads(r[7]),
            loaded_at=r[8] or "",
            deleted=r[9] == "true",
        )
        for r in rows
    ]


def latest_states(warehouse: Warehouse, object_ids: Sequence[str]) -> dict[str, o.ObjectState]:
    """The current stored state of each of ``object_ids`` (absent ids are left out)."""
    if not object_ids:
        return {}
    marks = ", ".join("?" for _ in object_ids)
    rows = warehouse.query(
        "select object_id, object_type, state_ts, object_ts, lifecycle_rank, received_via, event_id, payload, "
        f"_loaded_at, is_deleted from {RAW_SCHEMA}.{OBJECTS.name} where object_id in ({marks})",
        list(object_ids),
    )
    states = (
        o.ObjectState(
            r[0], r[1], r[2] or "", r[3] or "", int(r[4] or 0), r[5], r[6], json.loads(r[7]), r[8] or "", r[9] == "true"
        )
        for r in rows
    )
    return o.latest_states(states)


def customer_org_table(warehouse: Warehouse) -> dict[str, str]:
    """The customer -> org mapping table (latest ``updated_at`` per customer; blank org = unmapped)."""
    rows = warehouse.query(f"select customer_id, org_id, updated_at from {RAW_SCHEMA}.{CUSTOMER_ORGS.name}")
    latest: dict[str, tuple[str, str]] = {}
    for customer, org, updated in rows:
        if customer and (customer not in latest or (updated or "") >= latest[customer][0]):
            latest[customer] = (updated or "", org or "")
    return {c: org for c, (_, org) in latest.items() if org}


def map_customers(warehouse: Warehouse, mapping: Mapping[str, str]) -> None:
    """Add customer -> org rows to ``raw.stripe_customer_orgs`` (later rows win)."""
    now = utc_now_text()
    rows = [{"customer_id": c, "org_id": org, "updated_at": now} for c, org in mapping.items()]
    if rows:
        with _WRITE_LOCK, transaction(warehouse):
            warehouse.append_arrow(RAW_SCHEMA, CUSTOMER_ORGS.name, _table(rows, CUSTOMER_ORGS.columns))


def _object_row(
    obj: Mapping[str, Any],
    state_ts: str,
    via: str,
    event_id: str | None,
    event_type: str | None,
    api_version: str | None,
    deleted: bool,
    loaded_at: str,
) -> dict[str, str | None] | None:
    object_id = o.ref_id(obj.get("id"))
    if object_id is None or not isinstance(obj.get("object"), str):
        return None
    payload = o.canonical_json(obj)
    epoch = o.object_epoch(obj)
    return {
        "object_id": object_id,
        "object_type": str(obj["object"]),
        "customer_id": o.customer_of(obj),
        "status": _text(obj.get("status")),
        "created_at": o.ts_text(obj.get("created")),
        "state_ts": state_ts,
        "object_ts": o.ts_text(epoch) or "",
        "lifecycle_rank": str(o.lifecycle_rank(obj, deleted)),
        "is_deleted": "true" if deleted or obj.get("deleted") is True else "false",
        "received_via": via,
        "event_id": event_id,
        "event_type": event_type,
        "api_version": api_version,
        "payload": payload,
        "payload_hash": o.payload_hash(payload),
        "_loaded_at": loaded_at,
    }


def _hash_of(payload: Mapping[str, Any]) -> str:
    return o.payload_hash(o.canonical_json(payload))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], pa.string()) for name, _ in columns})
