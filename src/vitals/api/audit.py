"""The audit log (``api.audit_log``): who (token name), what (action, target), when and from where, for
every read of org-level data, every export and every config or token change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vitals.api.tables import SCHEMA, ensure_api_tables, utc_now
from vitals.warehouse.base import Warehouse

_COLUMNS = ("audit_id", "logged_at", "token_name", "role", "action", "target", "client", "detail")


@dataclass(frozen=True)
class AuditEntry:
    """One audited request."""

    audit_id: str
    at: datetime
    token_name: str
    role: str
    action: str
    target: str
    client: str
    detail: str


class AuditLog:
    """Writes and reads ``api.audit_log`` through an open warehouse connection."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse
        ensure_api_tables(warehouse)

    def record(self, *, token_name: str, role: str, action: str, target: str, client: str, detail: str = "") -> None:
        """Append one entry (committed at once: the connection is in autocommit)."""
        self.wh.execute(
            f"insert into {SCHEMA}.audit_log ({', '.join(_COLUMNS)}) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, utc_now(), token_name, role, action, target, client, detail[:2000]],
        )

    def entries(
        self,
        *,
        limit: int,
        offset: int = 0,
        token_name: str | None = None,
        action: str | None = None,
    ) -> tuple[int, list[AuditEntry]]:
        """The total and one page of entries, newest first, optionally of one token or action."""
        conditions: list[str] = []
        params: list[Any] = []
        if token_name is not None:
            conditions.append("token_name = ?")
            params.append(token_name)
        if action is not None:
            conditions.append("action = ?")
            params.append(action)
        where = f" where {' and '.join(conditions)}" if conditions else ""
        total = int(self.wh.query(f"select count(*) from {SCHEMA}.audit_log{where}", params or None)[0][0])
        rows = self.wh.query(
            f"select {', '.join(_COLUMNS)} from {SCHEMA}.audit_log{where} "
            f"order by logged_at desc, audit_id limit {int(limit)} offset {int(offset)}",
            params or None,
        )
        return total, [AuditEntry(*row) for row in rows]
