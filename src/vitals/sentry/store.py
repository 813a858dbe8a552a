"""The durable store of raw Sentry data: accepted webhook deliveries and backfilled events, idempotently.

A webhook delivery is written to ``raw.sentry_deliveries`` in one transaction, skipped when its
``delivery_key`` is already there; the caller acknowledges only after the commit. A backfill page is
written in one transaction, without the events already stored, so a re-run stores nothing new.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vitals.contracts import RAW_SCHEMA
from vitals.ingest.landing import transaction, utc_now_text
from vitals.sentry.payloads import Delivery, api_delivery, canonical_json, timestamp_text
from vitals.sentry.tables import DELIVERIES
from vitals.warehouse.base import Warehouse
from vitals.webhook_support import rebuild_duckdb_index

WEBHOOK = "webhook"
BACKFILL = "backfill"

WRITE_LOCK = threading.Lock()
"""Serializes this process's Sentry writes (DuckDB allows one writer; concurrent deliveries queue here)."""


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the raw schema, the shared raw tables and ``raw.sentry_deliveries`` if missing."""
    warehouse.ensure_raw_tables()
    warehouse.create_table(RAW_SCHEMA, DELIVERIES.name, DELIVERIES.columns)
    if warehouse.engine in ("duckdb", "postgres"):
        # one row per delivery key: a duplicate that slipped past the check fails instead of landing twice
        warehouse.execute(
            f"create unique index if not exists {DELIVERIES.name}_key_uq "
            f"on {RAW_SCHEMA}.{DELIVERIES.name} (delivery_key)"
        )


def repair_indexes(warehouse: Warehouse) -> int:
    """Rebuild the delivery-key index (DuckDB, after a possible crash: ``rebuild_duckdb_index``); the
    duplicate deliveries removed."""
    with WRITE_LOCK:
        return rebuild_duckdb_index(
            warehouse, RAW_SCHEMA, DELIVERIES.name, f"{DELIVERIES.name}_key_uq", "delivery_key", unique=True
        )


@dataclass(frozen=True)
class StoredDelivery:
    """What storing one webhook delivery did."""

    key: str
    event_id: str | None
    duplicate: bool


def store_delivery(
    warehouse: Warehouse, body: str, delivery: Delivery, request_id: str | None, hook_timestamp: str | None
) -> StoredDelivery:
    """Store a verified delivery (its body verbatim) unless its key is stored; commit before returning."""
    row = _row(delivery, WEBHOOK, body, request_id, timestamp_text(hook_timestamp), utc_now_text_fixed())
    with WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, DELIVERIES.name)
        if warehouse.query(f"select 1 from {RAW_SCHEMA}.{DELIVERIES.name} where delivery_key = ?", [delivery.key]):
            return StoredDelivery(delivery.key, delivery.event_id, duplicate=True)
        warehouse.append_arrow(RAW_SCHEMA, DELIVERIES.name, _table([row]))
    return StoredDelivery(delivery.key, delivery.event_id, duplicate=False)


def store_api_events(warehouse: Warehouse, events: Sequence[Mapping[str, Any]], project: str) -> int:
    """Store one backfill page of REST events (each as its JSON); return how many were new."""
    now = utc_now_text_fixed()
    rows: dict[str, dict[str, str | None]] = {}
    for event in events:
        delivery = api_delivery(event, project)
        if delivery is not None and delivery.key not in rows:
            rows[delivery.key] = _row(delivery, BACKFILL, canonical_json(event), None, None, now)
    if not rows:
        return 0
    with WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, DELIVERIES.name)
        keys = list(rows)
        marks = ", ".join("?" for _ in keys)
        stored = warehouse.query(
            f"select delivery_key from {RAW_SCHEMA}.{DELIVERIES.name} where delivery_key in ({marks})", keys
        )
        for (key,) in stored:
            rows.pop(key, None)
        if rows:
            warehouse.append_arrow(RAW_SCHEMA, DELIVERIES.name, _table(list(rows.values())))
    return len(rows)


def utc_now_text_fixed() -> str:
    """Now as fixed-width UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    return str(timestamp_text(utc_now_text()))


def _row(
    delivery: Delivery, via: str, body: str, request_id: str | None, hook_timestamp: str | None, received_at: str
) -> dict[str, str | None]:
    return {
        "delivery_key": delivery.key,
        "resource": delivery.resource,
        "action": delivery.action,
        "event_id": delivery.event_id,
        "issue_id": delivery.issue_id,
        "project": delivery.project,
        "received_via": via,
        "request_id": request_id,
        "hook_timestamp": hook_timestamp,
        "body": body,
        "received_at": received_at,
    }


def _table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], pa.string()) for name, _ in DELIVERIES.columns})
