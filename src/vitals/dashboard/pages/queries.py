"""Reads several pages share, all through the token's Scope over the read layer (``vitals.metrics``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from vitals.dashboard.datasets import Chart, Series
from vitals.dashboard.view import View
from vitals.metrics.catalog import default_catalog
from vitals.metrics.health import HEALTH, band_counts, org_rows, scored_day
from vitals.metrics.revenue import revenue_months
from vitals.metrics.series import daily_values, period_start


def metric_chart(
    view: View, chart_id: str, title: str, names: list[str], *, org: str | None, kind: str = "line", empty: str = ""
) -> Chart:
    """Daily values of catalog metrics over the view's date range, for ``org`` (None: global)."""
    catalog = default_catalog()
    entity = view.scope.entity(org)
    by_day: dict[date, dict[str, float | None]] = {}
    unit = "count"
    series_names: list[tuple[str, str]] = []
    for name in names:
        metric = catalog.metric(name)
        unit = metric.unit
        series_names.append((name, metric.label))
        for day, value in daily_values(
            view.scope, metric, entity, view.filters.start, view.filters.end, action="dashboard"
        ):
            by_day.setdefault(day, {})[name] = value
    days = sorted(by_day)
    return Chart(
        chart_id,
        title,
        kind,  # type: ignore[arg-type]
        [d.isoformat() for d in days],
        [Series(name, label, [by_day[d].get(name) for d in days]) for name, label in series_names],
        unit=unit,
        empty=empty or "No metrics for this range yet: load data (`vitals load`) and run `vitals build`.",
    )


def view_org_rows(view: View) -> list[dict[str, Any]]:
    """Every org on the latest scored day on or before the range's end, worst health first (the API's
    ``/orgs`` read with the view's org and plan filters)."""
    day = scored_day(view.scope, HEALTH, view.filters.end)
    if day is None:
        return []
    conditions, values = view.org_conditions("h.org_id", "o.current_plan")
    return org_rows(view.scope, day, conditions, values, action="dashboard.orgs")


def view_revenue_months(view: View, action: str) -> list[dict[str, Any]]:
    """The revenue of each month of the view's range over the orgs of its filters (``revenue_months``)."""
    assert view.filters.start is not None and view.filters.end is not None
    first = period_start(view.filters.start, "month")
    return revenue_months(
        view.scope, first, view.filters.end, org=view.filters.org, plan=view.filters.plan, action=action
    )


def day_of(value: Any) -> date:
    """A date from a warehouse value (a date, or a timestamp or text starting with one)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_float(value: Any) -> float | None:
    """A warehouse number (a Decimal, say) as a float; None stays None."""
    return None if value is None else float(value)


__all__ = ["as_float", "band_counts", "day_of", "metric_chart", "view_org_rows", "view_revenue_months"]
