"""The request a page builds for: the token's Scope, the resolved filters and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vitals.api.scope import Forbidden, Scope, Source
from vitals.config import Settings
from vitals.dashboard.filters import Filters
from vitals.metrics.health import HEALTH, scored_day
from vitals.metrics.series import latest_day

ORGANIZATIONS = Source("{core}.organizations o", "org", org_column="o.org_id")


@dataclass
class View:
    """What a page's ``build`` reads: ``scope`` (every data read goes through it), ``filters`` (``start`` and
    ``end`` always set once the warehouse has a built day) and the path parameters in ``params``."""

    scope: Scope
    filters: Filters
    settings: Settings
    params: dict[str, str] = field(default_factory=dict)
    latest: date | None = None
    notices: list[str] = field(default_factory=list)
    query: dict[str, str] = field(default_factory=dict)
    """The whole query string (pages read their own parameters from it, e.g. a band filter)."""
    runtime: Any = None
    """The server's ``Runtime`` (builds, jobs) when the dashboard runs inside ``vitals serve``, else None."""

    @classmethod
    def open(cls, scope: Scope, query: dict[str, str], settings: Settings, params: dict[str, str]) -> View:
        """The view with the date range resolved against the latest built day (an org token: its org forced,
        no plan filter)."""
        asked = Filters.parse(query)
        latest = latest_day(scope, None)
        if latest is None and scope.warehouse.table_exists(scope.warehouse.core_schema, HEALTH):
            latest = scored_day(scope, HEALTH, None)
        filters = asked.resolve(latest, settings.dashboard.default_days)
        if scope.org_id is not None:
            if filters.org not in (None, scope.org_id):
                raise Forbidden("an org token reads its own org only")
            filters = Filters(filters.start, filters.end, scope.org_id, None)  # plans are the vendor's view
        return cls(scope, filters, settings, params, latest, query=query)

    def link(self, path: str, **changes: str | None) -> str:
        """``path`` with the view's filters (``changes`` override them) in its query string."""
        return path + self.filters.query(**changes)

    @property
    def entity_org(self) -> str | None:
        """The org the metrics are read for (None: global)."""
        return self.filters.org

    def org_conditions(self, org_column: str, plan_column: str | None) -> tuple[list[str], list[Any]]:
        """The org and plan filter as conditions on a source's columns."""
        conditions: list[str] = []
        params: list[Any] = []
        if self.filters.org:
            conditions.append(f"{org_column} = ?")
            params.append(self.filters.org)
        if self.filters.plan and plan_column:
            conditions.append(f"{plan_column} = ?")
            params.append(self.filters.plan)
        return conditions, params

    def orgs(self) -> list[dict[str, Any]]:
        """The orgs the token may pick (id, name, plan), by name; empty when it may read none."""
        if not self.scope.allows("org_metrics"):
            return []
        return self.scope.select(
            ORGANIZATIONS,
            columns="o.org_id, o.org_name, o.current_plan as plan",
            order_by="o.org_name, o.org_id",
            action="dashboard.orgs",
            target="organizations",
        )
