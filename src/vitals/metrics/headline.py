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
    """The headline metrics on the last day of ``metrics_daily`` (empty when nothing is built), read through
    ``vitals.metrics.series``."""
    from vitals.metrics.reader import WarehouseReader
    from vitals.metrics.series import latest_day, many_daily_values

    if not warehouse.table_exists(warehouse.core_schema, "metrics_daily"):
        return []
    reader = WarehouseReader(warehouse)
    day = latest_day(reader, None)
    if day is None:
        return []
    metrics = [default_catalog().metric(name) for name in HEADLINE]
    values = many_daily_values(reader, metrics, ("global", "global"), day, day, action="headline")
    return [Headline(m, day, values[m.name][-1][1] if values[m.name] else None) for m in metrics]
