"""Reads several pages share, all through the token's Scope over the read layer (``vitals.metrics``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
        empty=empty or "No data for this date range: the data may end before the range or start after it.",
        time_zone=view.settings.timezone,
    )


def with_previous_period(view: View, chart: Chart, name: str, *, org: str | None) -> Chart:
    """``chart`` (daily values of the catalog metric ``name``) with the period just before the view's range
    drawn over it: the value of as many days earlier, day for day."""
    assert view.filters.start is not None and view.filters.end is not None
    if not chart.has_data:
        return chart
    length = timedelta(days=(view.filters.end - view.filters.start).days + 1)
    metric = default_catalog().metric(name)
    earlier = dict(
        daily_values(
            view.scope,
            metric,
            view.scope.entity(org),
            view.filters.start - length,
            view.filters.start - timedelta(days=1),
            action="dashboard",
        )
    )
    values = [earlier.get(date.fromisoformat(x) - length) for x in chart.labels]
    if any(v is not None for v in values):
        chart.series.append(Series(f"previous_{name}", f"{metric.label}, previous period", values))
    return chart


def revenue_month_link(view: View, month: str, *, movement: str | None = None) -> str:
    """The revenue page's list of the orgs behind the MRR movements of ``month`` (YYYY-MM; of one ``movement``
    only, e.g. ``new``: the orgs of that month's cohort), with the view's filters."""
    link = view.link("/revenue")
    only = f"&movement={movement}" if movement else ""
    return f"{link}{'&' if '?' in link else '?'}month={month}{only}#org_movements"


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


def range_presets(view: View, path: str) -> list[dict[str, Any]]:
    """Links to relative date ranges ending on the latest day with data (the last 7 days, the last 30 days,
    the quarter to date), keeping the view's org and plan; ``current`` marks the range shown."""
    last = view.latest
    if last is None:
        return []
    quarter = date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    ranges = (
        ("Last 7 days", last - timedelta(days=6)),
        ("Last 30 days", last - timedelta(days=29)),
        ("Quarter to date", quarter),
    )
    return [
        {
            "label": label,
            "href": view.link(path, **{"from": start.isoformat(), "to": last.isoformat()}),
            "current": view.filters.start == start and view.filters.end == last,
        }
        for label, start in ranges
    ]


def day_of(value: Any) -> date:
    """A date from a warehouse value (a date, or a timestamp or text starting with one)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_float(value: Any) -> float | None:
    """A warehouse number (a Decimal, say) as a float; None stays None."""
    return None if value is None else float(value)


__all__ = [
    "as_float",
    "band_counts",
    "day_of",
    "metric_chart",
    "range_presets",
    "revenue_month_link",
    "view_org_rows",
    "view_revenue_months",
    "with_previous_period",
]
