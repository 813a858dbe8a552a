"""What a token may read, enforced in one place: every data read of the API goes through ``Scope``.

A ``Scope`` is derived from the token. Routes never add org filters themselves: they name a source
(a mart, or a join led by one) with its kind, and ``Scope.select`` / ``Scope.count`` / ``Scope.stream``
add the filter of the token's role, refuse what the role may not read, and write the audit entry of
every read of org-level data.

Kinds of source:
- ``org``: one row per org (an ``org_id`` column). Org tokens see their org's rows only; viewers none.
- ``long``: ``entity_type`` / ``entity_id`` columns (``metrics_daily``, cohorts). Org tokens see
  ``entity_type = 'org'`` rows of their org only; viewers ``entity_type = 'global'`` rows only.
- ``global``: no org in the rows. Org tokens may not read it (it is not their own data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pyarrow as pa

from vitals.api.tokens import Role, TokenRecord
from vitals.errors import VitalsError
from vitals.warehouse.base import Warehouse

Feature = Literal[
    "catalog",
    "global_metrics",
    "org_metrics",
    "exports",
    "config",
    "audit",
    "tokens",
    "alerts",
    "silences",
    "operations",
    "ingest",
]
Kind = Literal["org", "long", "global"]

ROLE_FEATURES: dict[str, frozenset[str]] = {
    "admin": frozenset(get_args(Feature)),  # everything
    "analyst": frozenset({"catalog", "global_metrics", "org_metrics", "exports", "alerts", "operations"}),
    "cs": frozenset({"catalog", "global_metrics", "org_metrics", "alerts", "silences"}),
    "sales": frozenset({"catalog", "global_metrics", "org_metrics", "alerts"}),
    "viewer": frozenset({"catalog", "global_metrics", "alerts"}),
    "org": frozenset({"catalog", "org_metrics", "exports", "alerts"}),
    "ingest": frozenset({"ingest"}),
}
"""What each role may do. ``org`` tokens read (and export) the rows of their own org only; ``silences``
(silencing alerts) is for admin and cs. ``operations`` is the service's own state (data health per source,
builds and their errors: ``GET /api/v1/status`` and the dashboard's data health page). ``ingest`` is posting
events to ``POST /ingest/events``: ``ingest`` tokens may do that and read nothing; admin tokens may too."""


class Forbidden(VitalsError):
    """The token is valid but the request is outside its scope (HTTP 403)."""


class NotFound(VitalsError):
    """What was asked for does not exist (HTTP 404)."""


class BadRequest(VitalsError):
    """The request cannot be answered as asked (HTTP 400); the message says which parameter."""


@dataclass(frozen=True)
class Source:
    """Where a read selects from: SQL after ``from`` (``{core}`` = the core schema), its kind, and the
    expressions of its org column (``org`` kind) or its entity columns (``long`` kind)."""

    sql: str
    kind: Kind
    org_column: str = "org_id"
    entity_type_column: str = "entity_type"
    entity_id_column: str = "entity_id"


AuditHook = Callable[[str, str, str], None]
"""Called as ``(action, target, detail)`` for every read of org-level data."""


@dataclass
class Scope:
    """The reach of one token over one warehouse connection."""

    token: TokenRecord
    warehouse: Warehouse
    audit: AuditHook = field(default=lambda action, target, detail: None)

    @property
    def role(self) -> Role:
        return self.token.role

    @property
    def org_id(self) -> str | None:
        """The one org an org token may read; None for every other role."""
        return self.token.org_id if self.role == "org" else None

    def allows(self, feature: Feature) -> bool:
        """Whether the token's role includes ``feature``."""
        return feature in ROLE_FEATURES.get(self.role, frozenset())

    def require(self, feature: Feature) -> None:
        """``Forbidden`` unless the role includes ``feature``."""
        if not self.allows(feature):
            article = "an" if self.role[0] in "aeiou" else "a"
            raise Forbidden(f"{article} {self.role} token may not use {feature.replace('_', ' ')}")

    def entity(self, org: str | None) -> tuple[str, str]:
        """The (entity_type, entity_id) a metric read is about: ``org`` when given, else global; an org
        token reads its own org when none is given and may name no other."""
        if self.org_id is not None:
            if org is not None and org.strip().lower() != self.org_id:
                raise Forbidden("an org token reads its own org only")
            return "org", self.org_id
        if org is None:
            self.require("global_metrics")
            return "global", "global"
        self.require("org_metrics")
        return "org", org.strip().lower()

    def require_org(self, org: str) -> str:
        """The normalized org id, when the token may read that org's data (else ``Forbidden``)."""
        return self.entity(org)[1]

    # -- the one query layer --------------------------------------------------------------------------
    def where(self, source: Source) -> tuple[list[str], list[Any]]:
        """The conditions (and their parameters) the token's role adds to reads of ``source``."""
        if source.kind == "global":
            if self.org_id is not None:
                raise Forbidden("an org token reads its own org's data only; this data is not per org")
            self.require("global_metrics")
            return [], []
        if source.kind == "org":
            if self.org_id is not None:
                return [f"{source.org_column} = ?"], [self.org_id]
            self.require("org_metrics")
            return [], []
        if self.org_id is not None:
            return [f"{source.entity_type_column} = 'org'", f"{source.entity_id_column} = ?"], [self.org_id]
        if not self.allows("org_metrics"):
            self.require("global_metrics")
            return [f"{source.entity_type_column} = 'global'"], []
        return [], []

    def _sql(
        self, source: Source, columns: str, conditions: Sequence[str], params: Sequence[Any]
    ) -> tuple[str, list[Any]]:
        scoped, scoped_params = self.where(source)
        clauses = [*conditions, *scoped]
        sql = f"select {columns} from {source.sql.replace('{core}', self.warehouse.core_schema)}"
        if clauses:
            sql += " where " + " and ".join(f"({c})" for c in clauses)
        return sql, [*params, *scoped_params]

    def _audit(self, source: Source, action: str, target: str, detail: str, org_level: bool) -> None:
        if org_level and source.kind != "global":
            self.audit(action, target, detail)

    def select(
        self,
        source: Source,
        *,
        columns: str = "*",
        conditions: Sequence[str] = (),
        params: Sequence[Any] = (),
        order_by: str = "",
        limit: int | None = None,
        offset: int = 0,
        action: str = "read",
        target: str = "",
        org_level: bool = True,
    ) -> list[dict[str, Any]]:
        """Rows of ``source`` the token may read, as dicts. ``org_level=False`` marks a read the caller
        limited to global rows, or one it audits itself (not audited here)."""
        sql, all_params = self._sql(source, columns, conditions, params)
        if order_by:
            sql += f" order by {order_by}"
        if limit is not None:
            sql += f" limit {int(limit)} offset {int(offset)}"
        rows = _dicts(self.warehouse, sql, all_params)
        self._audit(source, action, target or source.sql.split()[0], f"{len(rows)} rows", org_level)
        return rows

    def count(self, source: Source, *, conditions: Sequence[str] = (), params: Sequence[Any] = ()) -> int:
        """How many rows of ``source`` the token may read under ``conditions``."""
        sql, all_params = self._sql(source, "count(*)", conditions, params)
        return int(self.warehouse.query(sql, all_params)[0][0])

    def stream(
        self,
        source: Source,
        *,
        conditions: Sequence[str] = (),
        params: Sequence[Any] = (),
        order_by: str = "",
        batch_rows: int = 10_000,
        action: str = "export",
        target: str = "",
        detail: str = "",
    ) -> Iterator[pa.RecordBatch]:
        """The rows the token may read, as Arrow record batches of at most ``batch_rows`` rows, fetched
        from the engine in chunks (never all at once). The audit entry is written before the first batch."""
        from vitals.api.batches import record_batches

        sql, all_params = self._sql(source, "*", conditions, params)
        if order_by:
            sql += f" order by {order_by}"
        self.audit(action, target, detail or "all rows")
        return record_batches(self.warehouse, sql, all_params, batch_rows)


def _dicts(warehouse: Warehouse, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    from vitals.api.batches import cursor_rows

    names, rows = cursor_rows(warehouse, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]
