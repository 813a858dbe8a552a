"""Alert state, silences, history and the notification outbox, in the warehouse's ``alerts`` schema.

Times are stored as naive UTC timestamps. A notification is written (status ``pending``) in the same
transaction as the state change that causes it and delivered after the commit; a crash in between
leaves it pending, and the next evaluation delivers it. So a restart neither loses nor re-sends.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from vitals.warehouse.base import Warehouse

SCHEMA = "alerts"
STATES = ("inactive", "pending", "firing", "resolved", "nodata")

TABLES: dict[str, list[tuple[str, str]]] = {
    "alert_state": [
        ("rule_name", "text"),
        ("scope", "text"),
        ("state", "text"),
        ("value", "double precision"),
        ("reason", "text"),
        ("pending_since", "timestamp"),
        ("firing_since", "timestamp"),
        ("last_notified_at", "timestamp"),
        ("last_eval_at", "timestamp"),
        ("changed_at", "timestamp"),
    ],
    "alert_history": [
        ("changed_at", "timestamp"),
        ("rule_name", "text"),
        ("scope", "text"),
        ("from_state", "text"),
        ("to_state", "text"),
        ("value", "double precision"),
        ("reason", "text"),
    ],
    "silences": [
        ("silence_id", "text"),
        ("rule_name", "text"),
        ("scope", "text"),
        ("starts_at", "timestamp"),
        ("ends_at", "timestamp"),
        ("comment", "text"),
        ("created_by", "text"),
        ("created_at", "timestamp"),
    ],
    "notifications": [
        ("notification_id", "text"),
        ("created_at", "timestamp"),
        ("rule_name", "text"),
        ("scope", "text"),
        ("dedup_key", "text"),
        ("kind", "text"),
        ("route", "text"),
        ("payload", "text"),
        ("status", "text"),
        ("attempts", "integer"),
        ("last_status_code", "integer"),
        ("last_error", "text"),
        ("finished_at", "timestamp"),
    ],
    "deliveries": [
        ("notification_id", "text"),
        ("attempt", "integer"),
        ("attempted_at", "timestamp"),
        ("route", "text"),
        ("status_code", "integer"),
        ("outcome", "text"),
        ("error", "text"),
    ],
}


def utc(moment: datetime | None) -> datetime | None:
    """Aware UTC from a stored naive timestamp (or an aware one)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def naive(moment: datetime | None) -> datetime | None:
    """Naive UTC for storage."""
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AlertState:
    """Where one rule stands for one scope (``global`` or an org UUID)."""

    rule_name: str
    scope: str
    state: str = "inactive"
    value: float | None = None
    reason: str = ""
    pending_since: datetime | None = None
    firing_since: datetime | None = None
    last_notified_at: datetime | None = None
    last_eval_at: datetime | None = None
    changed_at: datetime | None = None

    def with_(self, **changes: Any) -> AlertState:
        return replace(self, **changes)


@dataclass(frozen=True)
class Silence:
    """Notifications of a rule (one org, or every scope) are held between ``starts_at`` and ``ends_at``."""

    silence_id: str
    rule_name: str
    scope: str | None
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str

    def matches(self, rule_name: str, scope: str, at: datetime) -> bool:
        return self.rule_name == rule_name and self.scope in (None, scope) and self.starts_at <= at < self.ends_at


@dataclass
class NotificationRow:
    """One notification to one route: what the outbox holds."""

    notification_id: str
    created_at: datetime
    rule_name: str
    scope: str
    dedup_key: str
    kind: str
    route: str
    payload: dict[str, Any]
    status: str = "pending"
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AlertStore:
    """Reads and writes the ``alerts`` schema through an open warehouse connection."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse

    def ensure_tables(self) -> None:
        """Create the schema and its tables if missing."""
        self.wh.execute(f"create schema if not exists {SCHEMA}")
        for table, columns in TABLES.items():
            self.wh.create_table(SCHEMA, table, columns)

    # -- state -------------------------------------------------------------------------------------
    def states(self, rule_name: str | None = None) -> dict[tuple[str, str], AlertState]:
        """Every stored state (of one rule), by (rule, scope)."""
        cols = [c for c, _ in TABLES["alert_state"]]
        sql = f"select {', '.join(cols)} from {SCHEMA}.alert_state"
        rows = self.wh.query(sql + " where rule_name = ?", [rule_name]) if rule_name else self.wh.query(sql)
        out: dict[tuple[str, str], AlertState] = {}
        for row in rows:
            data = dict(zip(cols, row, strict=True))
            for key in ("pending_since", "firing_since", "last_notified_at", "last_eval_at", "changed_at"):
                data[key] = utc(data[key])
            data["value"] = None if data["value"] is None else float(data["value"])
            data["reason"] = data["reason"] or ""
            out[(data["rule_name"], data["scope"])] = AlertState(**data)
        return out

    def save_state(self, state: AlertState) -> None:
        self.wh.execute(
            f"delete from {SCHEMA}.alert_state where rule_name = ? and scope = ?", [state.rule_name, state.scope]
        )
        self.wh.execute(
            f"insert into {SCHEMA}.alert_state values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                state.rule_name,
                state.scope,
                state.state,
                state.value,
                state.reason,
                naive(state.pending_since),
                naive(state.firing_since),
                naive(state.last_notified_at),
                naive(state.last_eval_at),
                naive(state.changed_at),
            ],
        )

    def add_history(self, at: datetime, before: AlertState, after: AlertState) -> None:
        self.wh.execute(
            f"insert into {SCHEMA}.alert_history values (?, ?, ?, ?, ?, ?, ?)",
            [naive(at), after.rule_name, after.scope, before.state, after.state, after.value, after.reason],
        )

    def history(
        self, *, rule_name: str | None = None, since: datetime | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """State changes, newest first."""
        where, params = self._filters(rule_name, since, "changed_at")
        rows = self.wh.query(
            f"select changed_at, rule_name, scope, from_state, to_state, value, reason from {SCHEMA}.alert_history"
            f"{where} order by changed_at desc, rule_name, scope limit {int(limit)}",
            params,
        )
        keys = ("at", "rule_name", "scope", "from_state", "to_state", "value", "reason")
        return [{**dict(zip(keys, r, strict=True)), "at": utc(r[0])} for r in rows]

    @staticmethod
    def _filters(rule_name: str | None, since: datetime | None, column: str) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if rule_name:
            clauses.append("rule_name = ?")
            params.append(rule_name)
        if since is not None:
            clauses.append(f"{column} >= ?")
            params.append(naive(since))
        return (" where " + " and ".join(clauses) if clauses else ""), params

    # -- silences ----------------------------------------------------------------------------------
    def add_silence(
        self, rule_name: str, scope: str | None, starts_at: datetime, ends_at: datetime, comment: str, created_by: str
    ) -> Silence:
        silence = Silence(uuid.uuid4().hex[:12], rule_name, scope, starts_at, ends_at, comment, created_by)
        self.wh.execute(
            f"insert into {SCHEMA}.silences values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                silence.silence_id,
                rule_name,
                scope,
                naive(starts_at),
                naive(ends_at),
                comment,
                created_by,
                naive(datetime.now(UTC)),
            ],
        )
        return silence

    def silences(self, at: datetime | None = None) -> list[Silence]:
        """Silences in force at ``at`` (every one when None)."""
        sql = f"select silence_id, rule_name, scope, starts_at, ends_at, comment, created_by from {SCHEMA}.silences"
        rows = (
            self.wh.query(sql + " where starts_at <= ? and ends_at > ?", [naive(at), naive(at)])
            if at
            else (self.wh.query(sql))
        )
        return [
            Silence(r[0], r[1], r[2], utc(r[3]) or datetime.min, utc(r[4]) or datetime.min, r[5] or "", r[6] or "")
            for r in rows
        ]

    # -- outbox ------------------------------------------------------------------------------------
    def add_notification(self, row: NotificationRow) -> None:
        self.wh.execute(
            f"insert into {SCHEMA}.notifications values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                row.notification_id,
                naive(row.created_at),
                row.rule_name,
                row.scope,
                row.dedup_key,
                row.kind,
                row.route,
                json.dumps(row.payload, sort_keys=True),
                row.status,
                row.attempts,
                row.last_status_code,
                row.last_error,
                naive(row.finished_at),
            ],
        )

    def notifications(
        self, *, status: str | None = None, rule_name: str | None = None, since: datetime | None = None
    ) -> list[NotificationRow]:
        """Notifications oldest first, optionally only of one status / rule / since a time."""
        where, params = self._filters(rule_name, since, "created_at")
        if status:
            where += (" and " if where else " where ") + "status = ?"
            params.append(status)
        cols = [c for c, _ in TABLES["notifications"]]
        rows = self.wh.query(
            f"select {', '.join(cols)} from {SCHEMA}.notifications{where} order by created_at, notification_id",
            params,
        )
        out = []
        for r in rows:
            data = dict(zip(cols, r, strict=True))
            data["payload"] = json.loads(data["payload"])
            data["created_at"] = utc(data["created_at"])
            data["finished_at"] = utc(data["finished_at"])
            out.append(NotificationRow(**data))
        return out

    def finish_notification(self, row: NotificationRow) -> None:
        self.wh.execute(
            f"update {SCHEMA}.notifications set status = ?, attempts = ?, last_status_code = ?, last_error = ?, "
            "finished_at = ? where notification_id = ?",
            [
                row.status,
                row.attempts,
                row.last_status_code,
                row.last_error,
                naive(row.finished_at),
                row.notification_id,
            ],
        )

    def add_delivery(
        self,
        notification_id: str,
        attempt: int,
        at: datetime,
        route: str,
        status_code: int | None,
        outcome: str,
        error: str | None,
    ) -> None:
        self.wh.execute(
            f"insert into {SCHEMA}.deliveries values (?, ?, ?, ?, ?, ?, ?)",
            [notification_id, attempt, naive(at), route, status_code, outcome, error],
        )

    def deliveries(self, notification_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery attempt (of one notification), in order."""
        columns = "notification_id, attempt, attempted_at, route, status_code, outcome, error"
        sql = f"select {columns} from {SCHEMA}.deliveries"
        rows = (
            self.wh.query(sql + " where notification_id = ? order by attempt", [notification_id])
            if notification_id
            else self.wh.query(sql + " order by attempted_at, notification_id, attempt")
        )
        keys = ("notification_id", "attempt", "at", "route", "status_code", "outcome", "error")
        return [dict(zip(keys, r, strict=True)) for r in rows]
