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
from vitals.errors import BadRequest, Forbidden, NotFound
from vitals.metrics.reader import Kind, Reader, Source, rows_as_dicts
from vitals.warehouse.base import Warehouse, WarehouseError

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
    "campaigns",
    "pipeline",
    "operations",
    "ingest",
]

ROLE_FEATURES: dict[str, frozenset[str]] = {
    "admin": frozenset(get_args(Feature)),  # everything
    "analyst": frozenset({"catalog", "global_metrics", "org_metrics", "exports", "alerts", "pipeline", "operations"}),
    "cs": frozenset({"catalog", "global_metrics", "org_metrics", "alerts", "silences", "campaigns"}),
    "sales": frozenset({"catalog", "global_metrics", "org_metrics", "alerts", "pipeline"}),
    "oncall": frozenset({"catalog", "global_metrics", "org_metrics", "alerts", "silences", "operations"}),
    "viewer": frozenset({"catalog", "global_metrics", "alerts"}),
    "org": frozenset({"catalog", "org_metrics", "exports", "alerts"}),
    "ingest": frozenset({"ingest"}),
}
"""What each role may do. ``org`` tokens read (and export) the rows of their own org only; ``silences``
(silencing alerts and acknowledging incidents) is for admin, cs and oncall (the people paged); ``campaigns``
(starting a retention campaign) for admin and cs; ``pipeline`` (deals, quotas, the marketing funnel: the
vendor's own sales data) for admin, analyst and sales. ``operations``
is the service's own state (data health per source, builds and their errors: ``GET /api/v1/status`` and the
dashboard's data health page). ``ingest`` is posting events to ``POST /ingest/events``: ``ingest`` tokens may
do that and read nothing; admin tokens may too."""


PIPELINE_DOMAINS = frozenset({"sales", "marketing"})
"""Catalog domains that are the vendor's own sales data: their metrics and marts need the ``pipeline`` feature."""


__all__ = [
    "PIPELINE_DOMAINS",
    "ROLE_FEATURES",
    "AuditHook",
    "BadRequest",
    "Feature",
    "Forbidden",
    "Kind",
    "NotFound",
    "Scope",
    "Source",
]

AuditHook = Callable[[str, str, str], None]
"""Called as ``(action, target, detail)`` for every read of org-level data."""


@dataclass
class Scope(Reader):
    """The reach of one token over one warehouse connection: the read layer's ``Reader`` with the filter of the
    token's role (``where``) and the audit of every read of org-level data (``audited``)."""

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

    def require_domain(self, domain: str) -> None:
        """``Forbidden`` for a metric of the vendor's own sales data (``PIPELINE_DOMAINS``) without ``pipeline``."""
        if domain in PIPELINE_DOMAINS:
            self.require("pipeline")

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

    def audited(self, source: Source, action: str, target: str, detail: str, org_level: bool) -> None:
        if org_level and source.kind != "global":
            self.audit(action, target, detail)

    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        if self.warehouse.engine not in ("duckdb", "postgres"):
            raise WarehouseError(f"the API does not serve the {self.warehouse.engine} engine; use duckdb or postgres")
        return rows_as_dicts(self.warehouse, sql, params)

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
