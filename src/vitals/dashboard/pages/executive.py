"""Executive: the open incidents, the headline numbers as of the range's end against 7 days earlier (NRR:
the month before; WAP: the week before), the health distribution and the MRR bridge."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from vitals.dashboard.datasets import Chart, Column, Series, Table, display
from vitals.dashboard.pages.alerts_table import card_thresholds, open_alerts
from vitals.dashboard.pages.queries import (
    band_counts,
    day_of,
    revenue_month_link,
    view_org_rows,
    view_revenue_months,
)
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.activity import WAP_METRIC, last_full_week, weekly_active_providers
from vitals.metrics.catalog import default_catalog
from vitals.metrics.headline import EXECUTIVE, headlines_as_of
from vitals.metrics.health import BANDS
from vitals.metrics.revenue import MOVEMENTS
from vitals.metrics.series import daily_values, period_start

METRICS = EXECUTIVE
"""The big numbers, in order: each as ``vitals.metrics.headline.headlines_as_of`` defines it (the API's
``/summary?period=day``, ``vitals demo`` and the digest read the same)."""
NO_STRIPE = (
    "No Stripe data: run `vitals ingest stripe` or send Stripe webhooks to /webhooks/stripe, then `vitals build`."
)


def build(view: View) -> Content:
    """The page's numbers for the view's filters."""
    headline = _headline(view)
    health = _health(view)
    bridge = _bridge(view)
    alerts = open_alerts(view)
    if view.filters.plan:
        view.notices.append(
            "The big numbers are company-wide or per org (there is no per-plan series); the plan filter narrows "
            "the health distribution and the MRR bridge."
        )
    return Content({"headline": headline, "health": health, "alerts": alerts}, [health, bridge, alerts])


def _headline(view: View) -> dict[str, Any]:
    """Each big number as of the range's end (the latest built day on or before it) with what it is compared
    with, its sparkline over the range and, where an alert rule sets one, its threshold (breached: red)."""
    assert view.filters.start is not None and view.filters.end is not None
    result = headlines_as_of(view.scope, view.filters.end, org=view.filters.org, metrics=METRICS, action="dashboard")
    if result.end is None:
        return {"cards": [], "end": None, "previous_end": None}
    catalog = default_catalog()
    entity = view.scope.entity(view.filters.org)
    org = entity[1] if entity[0] == "org" else None
    thresholds = card_thresholds(view, [item.metric for item in result.items])
    cards = []
    for item in result.items:
        if item.metric == WAP_METRIC:
            weeks = weekly_active_providers(
                view.scope,
                org,
                period_start(view.filters.start, "week"),
                last_full_week(result.end),
                action="dashboard",
            )
            spark = [p.value for p in weeks]
        else:
            values = daily_values(
                view.scope, catalog.metric(item.metric), entity, view.filters.start, result.end, action="dashboard"
            )
            spark = [v for _, v in values if v is not None]
        threshold = thresholds.get(item.metric)
        cards.append(
            {
                "item": item,
                "text": display(item.unit, item.value),
                "spark": spark,
                "note": item.note,
                "threshold": threshold,
                "breached": threshold is not None and threshold.breached(item.value),
            }
        )
    return {"cards": cards, "end": result.end, "previous_end": result.previous_end}


def _health(view: View) -> Table:
    """How many orgs are in each band on the latest scored day (orgs for roles that read them, else the
    global counts)."""
    columns = [Column("band", "band"), Column("orgs", "orgs", "count")]
    empty = "No health scores yet: load product events (`vitals load`) and run `vitals build`."
    if view.scope.allows("org_metrics"):
        counts = band_counts(view_org_rows(view))
        rows = (
            [{"band": b, "orgs": n, "href": _band_link(b)} for b, n in counts.items()] if any(counts.values()) else []
        )
        return Table("health", "Health distribution", columns, rows, empty, link="band")
    catalog = default_catalog()
    rows = []
    for band in BANDS:
        metric = catalog.metric(f"health_orgs_{band.lower().replace(' ', '_')}")
        values = daily_values(
            view.scope, metric, ("global", "global"), view.filters.end, view.filters.end, action="dashboard"
        )
        if values and values[-1][1] is not None:
            rows.append({"band": band, "orgs": int(values[-1][1] or 0)})
    return Table("health", "Health distribution", columns, rows, empty)


def _band_link(band: str) -> str:
    """The customer success page listing exactly the orgs of ``band``."""
    return "/customer-success?band=" + quote(band)


def _bridge(view: View) -> Chart:
    """MRR movements per month of the range: new, expansion and reactivation up, contraction and churn down."""
    months = view_revenue_months(view, "dashboard.mrr_bridge")
    series = [Series(key, label, [sign * float(m[key] or 0) or 0.0 for m in months]) for key, label, sign in MOVEMENTS]
    series.append(Series("end_mrr_cents", "MRR at month end", [float(m["end_mrr_cents"] or 0) for m in months]))
    labels = [day_of(m["month_start"]).strftime("%Y-%m") for m in months]
    # a month's bars open the orgs that moved in it (for roles that read org rows)
    links: list[str | None] = [revenue_month_link(view, x) for x in labels] if view.scope.allows("org_metrics") else []
    return Chart(
        "mrr_bridge",
        "MRR bridge",
        "stacked",
        labels,
        series,
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
        links=links,
    )


PAGE = register(Page("executive", "Executive", "/", "executive.html", build, order=10))
