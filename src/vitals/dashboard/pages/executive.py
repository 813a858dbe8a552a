"""Executive: the headline numbers against the previous week, the health distribution, the MRR bridge and
the open alerts."""

from __future__ import annotations

from typing import Any

from vitals.dashboard.datasets import Chart, Column, Series, Table, display
from vitals.dashboard.pages.alerts_table import open_alerts
from vitals.dashboard.pages.queries import band_counts, day_of, view_org_rows, view_revenue_months
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.activity import WAP_METRIC, last_full_week, wap_summary, weekly_active_providers
from vitals.metrics.catalog import default_catalog
from vitals.metrics.health import BANDS
from vitals.metrics.revenue import MOVEMENTS
from vitals.metrics.series import daily_values, period_start, summary

METRICS = ("mrr_cents", "arr_cents", "nrr", "paying_orgs", WAP_METRIC, "dad", "quality_pass_rate_7d")
"""The big numbers, in order (the API's ``/summary`` computes each of ``metrics_daily`` the same way; weekly
active providers come from ``vitals.metrics.activity``)."""
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
    """Each big number with its previous week, change and sparkline values. WAP is the last full week's
    (Monday–Sunday) against the week before, its sparkline the weeks of the range."""
    assert view.filters.start is not None and view.filters.end is not None
    daily = [name for name in METRICS if name != WAP_METRIC]
    result = summary(view.scope, "week", view.filters.org, view.filters.end, daily)
    if result.end is None:
        return {"cards": [], "start": None, "end": None, "previous_end": None}
    catalog = default_catalog()
    entity = view.scope.entity(view.filters.org)
    org = entity[1] if entity[0] == "org" else None
    items = {item.metric: item for item in result.items}
    items[WAP_METRIC] = wap_summary(view.scope, org, result.end, action="dashboard")
    cards = []
    for name in METRICS:
        if name not in items:
            continue
        item = items[name]
        if name == WAP_METRIC:
            weeks = weekly_active_providers(
                view.scope,
                org,
                period_start(view.filters.start, "week"),
                last_full_week(result.end),
                action="dashboard",
            )
            spark = [p.value for p in weeks]
            note = f"week of {last_full_week(result.end).isoformat()}"
        else:
            values = daily_values(
                view.scope, catalog.metric(name), entity, view.filters.start, view.filters.end, action="dashboard"
            )
            spark, note = [v for _, v in values], None
        cards.append({"item": item, "text": display(item.unit, item.value), "spark": spark, "note": note})
    return {"cards": cards, "start": result.start, "end": result.end, "previous_end": result.previous_end}


def _health(view: View) -> Table:
    """How many orgs are in each band on the latest scored day (orgs for roles that read them, else the
    global counts)."""
    columns = [Column("band", "band"), Column("orgs", "orgs", "count")]
    empty = "No health scores yet: load product events (`vitals load`) and run `vitals build`."
    if view.scope.allows("org_metrics"):
        counts = band_counts(view_org_rows(view))
        rows = [{"band": b, "orgs": n} for b, n in counts.items()] if any(counts.values()) else []
        return Table("health", "Health distribution", columns, rows, empty)
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


def _bridge(view: View) -> Chart:
    """MRR movements per month of the range: new, expansion and reactivation up, contraction and churn down."""
    months = view_revenue_months(view, "dashboard.mrr_bridge")
    series = [Series(key, label, [sign * float(m[key] or 0) or 0.0 for m in months]) for key, label, sign in MOVEMENTS]
    series.append(Series("end_mrr_cents", "MRR at month end", [float(m["end_mrr_cents"] or 0) for m in months]))
    return Chart(
        "mrr_bridge",
        "MRR bridge",
        "stacked",
        [day_of(m["month_start"]).strftime("%Y-%m") for m in months],
        series,
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
    )


PAGE = register(Page("executive", "Executive", "/", "executive.html", build, order=10))
