"""Reads several pages share, all through the token's Scope (the API's query layer)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from vitals.api.routes.orgs import BANDS, HEALTH, ORG_COLUMNS, ORGS, scored_day
from vitals.api.series import daily_values
from vitals.dashboard.datasets import Chart, Series
from vitals.dashboard.view import View
from vitals.metrics.catalog import default_catalog

MOVEMENTS = (
    ("new_mrr_cents", "New", 1),
    ("expansion_mrr_cents", "Expansion", 1),
    ("reactivation_mrr_cents", "Reactivation", 1),
    ("contraction_mrr_cents", "Contraction", -1),
    ("churned_mrr_cents", "Churn", -1),
)
"""The MRR movements of a month: column, label and the sign they are charted with."""


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


def org_rows(view: View, *, extra: list[str] | None = None, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Every org on the latest scored day on or before the range's end, worst health first (the API's
    ``/orgs`` query with the view's org and plan filters)."""
    day = scored_day(view.scope, HEALTH, view.filters.end)
    if day is None:
        return []
    conditions, values = view.org_conditions("h.org_id", "o.current_plan")
    return view.scope.select(
        ORGS,
        columns=ORG_COLUMNS,
        conditions=["h.metric_date = ?", *conditions, *(extra or [])],
        params=[day, *values, *(params or [])],
        order_by="h.health_score, h.org_name, h.org_id",
        action="dashboard.orgs",
        target="orgs",
    )


def band_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many orgs are in each health band (every band listed, in order)."""
    counts = dict.fromkeys(BANDS, 0)
    for row in rows:
        if row["health_band"] in counts:
            counts[row["health_band"]] += 1
    return counts


def day_of(value: Any) -> date:
    """A date from a warehouse value (a date, or a timestamp or text starting with one)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_float(value: Any) -> float | None:
    """A warehouse number (a Decimal, say) as a float; None stays None."""
    return None if value is None else float(value)
