"""Executive: the headline numbers against the previous week, the health distribution, the MRR bridge and
the open alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from vitals.api.routes.orgs import BANDS
from vitals.api.scope import Source
from vitals.api.series import daily_values, period_start, summary
from vitals.dashboard.datasets import Chart, Column, Series, Table, display
from vitals.dashboard.pages.alerts_table import open_alerts
from vitals.dashboard.pages.queries import MOVEMENTS, band_counts, day_of, org_rows
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.catalog import default_catalog

METRICS = ("mrr_cents", "arr_cents", "nrr", "paying_orgs", "wau", "dad", "quality_pass_rate_7d")
"""The big numbers, in order (the API's ``/summary`` computes each the same way)."""
ORG_MOVEMENTS = Source(
    "{core}.mart_revenue_movements_monthly m left join {core}.organizations o on o.org_id = m.org_id",
    "org",
    org_column="m.org_id",
)
GLOBAL_MOVEMENTS = Source("{core}.mart_revenue_monthly", "global")
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
    """Each big number with its previous week, change and sparkline values."""
    result = summary(view.scope, "week", view.filters.org, view.filters.end, METRICS)
    catalog = default_catalog()
    entity = view.scope.entity(view.filters.org)
    cards = []
    for item in result.items:
        values = daily_values(
            view.scope, catalog.metric(item.metric), entity, view.filters.start, view.filters.end, action="dashboard"
        )
        cards.append({"item": item, "text": display(item.unit, item.value), "spark": [v for _, v in values]})
    return {"cards": cards, "start": result.start, "end": result.end, "previous_end": result.previous_end}


def _health(view: View) -> Table:
    """How many orgs are in each band on the latest scored day (orgs for roles that read them, else the
    global counts)."""
    columns = [Column("band", "band"), Column("orgs", "orgs", "count")]
    empty = "No health scores yet: load product events (`vitals load`) and run `vitals build`."
    if view.scope.allows("org_metrics"):
        counts = band_counts(org_rows(view))
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
    assert view.filters.start is not None and view.filters.end is not None
    first = period_start(view.filters.start, "month")
    names = ", ".join(name for name, _, _ in MOVEMENTS)
    if view.scope.allows("org_metrics"):
        conditions, params = view.org_conditions("m.org_id", "o.current_plan")
        rows = view.scope.select(
            ORG_MOVEMENTS,
            columns=f"m.month_start, m.start_mrr_cents, m.end_mrr_cents, {names}",
            conditions=["m.month_start >= ?", "m.month_start <= ?", *conditions],
            params=[first, view.filters.end, *params],
            action="dashboard.mrr_bridge",
            target="mart_revenue_movements_monthly",
        )
    else:
        rows = view.scope.select(
            GLOBAL_MOVEMENTS,
            columns=f"month_start, start_mrr_cents, end_mrr_cents, {names}",
            conditions=["month_start >= ?", "month_start <= ?"],
            params=[first, view.filters.end],
            org_level=False,
        )
    months: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        month = months[day_of(row["month_start"])]
        for key in ("start_mrr_cents", "end_mrr_cents", *(n for n, _, _ in MOVEMENTS)):
            month[key] += float(row[key] or 0)
    ordered = sorted(months)
    series = [Series(key, label, [sign * months[m][key] or 0.0 for m in ordered]) for key, label, sign in MOVEMENTS]
    series.append(Series("end_mrr_cents", "MRR at month end", [months[m]["end_mrr_cents"] for m in ordered]))
    chart = Chart(
        "mrr_bridge",
        "MRR bridge",
        "stacked",
        [m.strftime("%Y-%m") for m in ordered],
        series,
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
    )
    return chart


PAGE = register(Page("executive", "Executive", "/", "executive.html", build, order=10))
