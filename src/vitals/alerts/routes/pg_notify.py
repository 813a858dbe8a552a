"""PostgreSQL ``NOTIFY``: the notification as JSON on a channel, for ``LISTEN``ers in the database."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from vitals.alerts.delivery import Attempt

MAX_PAYLOAD_BYTES = 7999
"""NOTIFY payloads must be shorter than 8000 bytes."""


def notify_payload(message: dict[str, Any]) -> str:
    """The JSON payload, without the long texts when it would be too large."""
    payload = json.dumps(message, sort_keys=True)
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        slim = {k: v for k, v in message.items() if k not in ("description", "reason", "condition")}
        payload = json.dumps(slim, sort_keys=True)
    return payload


class PgNotify:
    """``select pg_notify(channel, payload)`` on its own autocommit connection."""

    def __init__(self, name: str, channel: str, dsn: str) -> None:
        self.name = name
        self.channel = channel
        self.dsn = dsn

    def send(self, message: dict[str, Any]) -> Attempt:
        try:
            with psycopg.connect(self.dsn, autocommit=True, connect_timeout=10) as con:
                con.execute("select pg_notify(%s, %s)", [self.channel, notify_payload(message)])
        except psycopg.OperationalError as exc:
            return Attempt(ok=False, transient=True, error=f"OperationalError: {exc}")
        except psycopg.Error as exc:
            return Attempt(ok=False, transient=False, error=f"{type(exc).__name__}: {exc}")
        return Attempt(ok=True)
