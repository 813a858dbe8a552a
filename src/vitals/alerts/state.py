"""Alert state, silences, history and the notification outbox, in the warehouse's ``alerts`` schema.

Times are stored as naive UTC timestamps. A notification is written (status ``pending``) in the same
transaction as the state change that causes it and delivered after the commit; a crash in between
leaves it pending, and the next evaluation delivers it. So a restart neither loses nor re-sends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from vitals.warehouse.base import Warehouse

SCHEMA = "alerts"
STATES = ("inactive", "pending", "firing", "resolved", "nodata")
STATE_ORDER = ("firing", "pending", "nodata", "resolved", "inactive")
"""How lists of states are ordered: what needs attention first."""
TIMELINE_COLUMNS = (
    "at",
    "kind",
    "rule_name",
    "scope",
    "from_state",
    "to_state",
    "value",
    "reason",
    "notification_kind",
    "route",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
)
Filter = tuple[list[str], list[Any]]
"""Extra SQL conditions (over a table's columns) and their parameters, e.g. the API's scoping."""

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
    "acknowledgements": [
        ("rule_name", "text"),
        ("scope", "text"),
        ("firing_since", "timestamp"),
        ("acknowledged_at", "timestamp"),
        ("acknowledged_by", "text"),
        ("comment", "text"),
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


@dataclass(frozen=True)
class Acknowledgement:
    """Someone took an incident (a rule firing for a scope since ``firing_since``): its repeats stop until it
    resolves; a new incident of the same rule and scope is not acknowledged."""

    rule_name: str
    scope: str
    firing_since: datetime
    acknowledged_at: datetime
    acknowledged_by: str
    comment: str

    def covers(self, state: AlertState) -> bool:
        """Whether this acknowledgement is of ``state``'s open incident."""
        return (
            state.firing_since is not None
            and (self.rule_name, self.scope) == (state.rule_name, state.scope)
            and self.firing_since == state.firing_since
        )


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
        sql = f"select {', '.join(_STATE_COLUMNS)} from {SCHEMA}.alert_state"
        rows = self.wh.query(sql + " where rule_name = ?", [rule_name]) if rule_name else self.wh.query(sql)
        states = (_state(row) for row in rows)
        return {(s.rule_name, s.scope): s for s in states}

    def state_page(
        self,
        *,
        states: Sequence[str] = (),
        rule_name: str | None = None,
        scope: str | None = None,
        where: Filter = ([], []),
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[AlertState]]:
        """The total and one page of stored states, firing first (then pending, nodata, resolved, inactive),
        optionally of some states / one rule / one scope, and under the extra conditions ``where``."""
        clauses, params = _match(rule_name=rule_name, scope=scope, where=where)
        if states:
            clauses.append(f"state in ({', '.join('?' for _ in states)})")
            params.extend(states)
        sql = f"from {SCHEMA}.alert_state" + _where(clauses)
        order = " ".join(f"when '{name}' then {rank}" for rank, name in enumerate(STATE_ORDER))
        total, rows = self._page(
            ", ".join(_STATE_COLUMNS),
            sql,
            params,
            f"case state {order} else 9 end, coalesce(changed_at, last_eval_at) desc, rule_name, scope",
            limit,
            offset,
        )
        return total, [_state(row) for row in rows]

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

    def timeline(
        self,
        *,
        rule_name: str | None = None,
        scope: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: Filter = ([], []),
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """State changes and notifications (with their delivery outcome) in one list, newest first: the
        total and one page, optionally of one rule / scope, between ``since`` (inclusive) and ``until``
        (exclusive), and under the extra conditions ``where``."""
        union = (
            "select changed_at as event_at, 'transition' as kind, rule_name, scope, from_state, to_state, value, "
            "reason, cast(null as text) as notification_kind, cast(null as text) as route, "
            "cast(null as text) as status, cast(null as integer) as attempts, "
            f"cast(null as integer) as last_status_code, cast(null as text) as last_error from {SCHEMA}.alert_history "
            "union all "
            "select created_at, 'notification', rule_name, scope, null, null, null, null, kind, route, status, "
            f"attempts, last_status_code, last_error from {SCHEMA}.notifications"
        )
        clauses, params = _match(rule_name=rule_name, scope=scope, where=where)
        if since is not None:
            clauses.append("event_at >= ?")
            params.append(naive(since))
        if until is not None:
            clauses.append("event_at < ?")
            params.append(naive(until))
        sql = f"from ({union}) timeline" + _where(clauses)
        total, rows = self._page("*", sql, params, "event_at desc, kind desc, rule_name, scope, route", limit, offset)
        out = []
        for row in rows:
            item = dict(zip(TIMELINE_COLUMNS, row, strict=True))
            item["at"] = utc(item["at"])
            item["value"] = None if item["value"] is None else float(item["value"])
            out.append(item)
        return total, out

    def _page(
        self, columns: str, sql: str, params: list[Any], order_by: str, limit: int, offset: int
    ) -> tuple[int, list[tuple[Any, ...]]]:
        """The total of ``select ... {sql}`` and one page of it in ``order_by`` order."""
        total = int(self.wh.query(f"select count(*) {sql}", params)[0][0])
        rows = self.wh.query(
            f"select {columns} {sql} order by {order_by} limit {int(limit)} offset {int(offset)}", params
        )
        return total, rows

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

    def silence_page(
        self, *, active_at: datetime | None = None, where: Filter = ([], []), limit: int = 50, offset: int = 0
    ) -> tuple[int, list[Silence]]:
        """The total and one page of silences, latest end first: those in force or still to come at
        ``active_at`` (every one when None), under the extra conditions ``where``."""
        clauses, params = _match(where=where)
        if active_at is not None:
            clauses.append("ends_at > ?")
            params.append(naive(active_at))
        sql = f"from {SCHEMA}.silences" + _where(clauses)
        total, rows = self._page(", ".join(_SILENCE_COLUMNS), sql, params, "ends_at desc, silence_id", limit, offset)
        return total, [_silence(r) for r in rows]

    def get_silence(self, silence_id: str, where: Filter = ([], [])) -> Silence | None:
        """The silence with this id (under the extra conditions ``where``), or None."""
        clauses, params = _match(where=where)
        clauses.append("silence_id = ?")
        params.append(silence_id)
        rows = self.wh.query(f"select {', '.join(_SILENCE_COLUMNS)} from {SCHEMA}.silences" + _where(clauses), params)
        return _silence(rows[0]) if rows else None

    def end_silence(self, silence_id: str, at: datetime) -> None:
        """End a silence at ``at`` (kept, so the history shows it; one that has not started ends before it starts)."""
        self.wh.execute(
            f"update {SCHEMA}.silences set ends_at = ?, starts_at = least(starts_at, ?) "
            "where silence_id = ? and ends_at > ?",
            [naive(at), naive(at), silence_id, naive(at)],
        )

    def silences(self, at: datetime | None = None) -> list[Silence]:
        """Silences in force at ``at`` (every one when None)."""
        sql = f"select {', '.join(_SILENCE_COLUMNS)} from {SCHEMA}.silences"
        rows = (
            self.wh.query(sql + " where starts_at <= ? and ends_at > ?", [naive(at), naive(at)])
            if at
            else (self.wh.query(sql))
        )
        return [_silence(r) for r in rows]

    # -- acknowledgements ----------------------------------------------------------------------------
    def add_acknowledgement(self, ack: Acknowledgement) -> None:
        self.wh.execute(
            f"insert into {SCHEMA}.acknowledgements values (?, ?, ?, ?, ?, ?)",
            [
                ack.rule_name,
                ack.scope,
                naive(ack.firing_since),
                naive(ack.acknowledged_at),
                ack.acknowledged_by,
                ack.comment,
            ],
        )

    def acknowledgements(self, states: dict[tuple[str, str], AlertState]) -> dict[tuple[str, str], Acknowledgement]:
        """The acknowledgement of each open incident among ``states`` that has one, by (rule, scope)."""
        if not any(s.firing_since is not None for s in states.values()):
            return {}
        rows = self.wh.query(f"select {', '.join(_ACK_COLUMNS)} from {SCHEMA}.acknowledgements")
        found: dict[tuple[str, str], Acknowledgement] = {}
        for ack in (_acknowledgement(r) for r in rows):
            state = states.get((ack.rule_name, ack.scope))
            if state is not None and ack.covers(state):
                found.setdefault((ack.rule_name, ack.scope), ack)
        return found

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


_STATE_COLUMNS = [c for c, _ in TABLES["alert_state"]]
_ACK_COLUMNS = [c for c, _ in TABLES["acknowledgements"]]
_SILENCE_COLUMNS = ("silence_id", "rule_name", "scope", "starts_at", "ends_at", "comment", "created_by")


def _state(row: Sequence[Any]) -> AlertState:
    data = dict(zip(_STATE_COLUMNS, row, strict=True))
    for key in ("pending_since", "firing_since", "last_notified_at", "last_eval_at", "changed_at"):
        data[key] = utc(data[key])
    data["value"] = None if data["value"] is None else float(data["value"])
    data["reason"] = data["reason"] or ""
    return AlertState(**data)


def _silence(r: Sequence[Any]) -> Silence:
    return Silence(r[0], r[1], r[2], utc(r[3]) or datetime.min, utc(r[4]) or datetime.min, r[5] or "", r[6] or "")


def _acknowledgement(r: Sequence[Any]) -> Acknowledgement:
    return Acknowledgement(r[0], r[1], utc(r[2]) or datetime.min, utc(r[3]) or datetime.min, r[4] or "", r[5] or "")


def _match(*, rule_name: str | None = None, scope: str | None = None, where: Filter = ([], [])) -> Filter:
    clauses, params = [f"({c})" for c in where[0]], list(where[1])
    if rule_name:
        clauses.append("rule_name = ?")
        params.append(rule_name)
    if scope:
        clauses.append("scope = ?")
        params.append(scope)
    return clauses, params


def _where(clauses: list[str]) -> str:
    return " where " + " and ".join(clauses) if clauses else ""
