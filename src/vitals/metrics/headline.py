"""The headline KPIs: the global value of a few tier-1 metrics on the latest built day, formatted by unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vitals.metrics.catalog import Metric, default_catalog
from vitals.warehouse.base import Warehouse

HEADLINE = ("dad", "npad", "new_doctor_activation_rate", "quality_pass_rate_7d", "wau", "mrr_cents", "paying_orgs")
"""The KPIs the demo and the digest lead with, in this order (SPEC §6.2)."""


@dataclass(frozen=True)
class Headline:
    """One headline metric's global value on ``day`` (None: undefined that day)."""

    metric: Metric
    day: date
    value: float | None

    def text(self) -> str:
        """``label  value`` with the value formatted by the metric's unit."""
        return f"{self.metric.label:<42} {format_value(self.metric.unit, self.value)}"


def format_value(unit: str, value: float | None) -> str:
    """A value as a person reads it: cents as dollars, ratios as percent, counts with separators."""
    if value is None:
        return "-"
    if unit == "cents":
        return f"${value / 100:,.0f}"
    if unit == "ratio":
        return f"{100 * value:.1f}%"
    if unit == "count" and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def headline_kpis(warehouse: Warehouse) -> list[Headline]:
    """The headline metrics on the last day of ``metrics_daily`` (empty when nothing is built)."""
    schema = warehouse.core_schema
    if not warehouse.table_exists(schema, "metrics_daily"):
        return []
    latest = warehouse.query(f"select max(metric_date) from {schema}.metrics_daily")[0][0]
    if latest is None:
        return []
    names = ", ".join(f"'{name}'" for name in HEADLINE)
    found = dict(
        warehouse.query(
            f"select metric_name, value from {schema}.metrics_daily where metric_date = ? "
            f"and entity_type = 'global' and metric_name in ({names})",
            [latest],
        )
    )
    catalog = default_catalog()
    day = latest if isinstance(latest, date) else date.fromisoformat(str(latest)[:10])
    return [
        Headline(catalog.metric(name), day, None if found.get(name) is None else float(found[name]))
        for name in HEADLINE
    ]
