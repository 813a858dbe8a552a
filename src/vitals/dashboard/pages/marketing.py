"""Marketing: spend by channel over the range, the lead funnel of the range's monthly lead cohorts by channel,
and CAC, payback and LTV:CAC per month and channel (first-touch). For roles that read the vendor's own sales
data (``pipeline``: admin, analyst, sales)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vitals.dashboard.datasets import Chart, Column, Series, Table
from vitals.dashboard.pages.alerts_table import column_limit
from vitals.dashboard.pages.queries import as_float, day_of, range_presets
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.sales import cac_rows, channel_rows, cohort_rows, marketing_connected
from vitals.metrics.series import period_start

NO_MARKETING = "No marketing data: spend and leads are not connected (load marketing_spend and marketing_leads)."
FUNNEL_STEPS = ("leads", "mqls", "sqls", "deals", "won_deals")


def build(view: View) -> Content:
    """The page's charts and tables for the view's date range (marketing is company-wide)."""
    view.scope.require("pipeline")
    assert view.filters.start is not None and view.filters.end is not None
    connected = marketing_connected(view.scope)
    first, last = period_start(view.filters.start, "month"), period_start(view.filters.end, "month")
    spend = _spend(view, connected)
    funnel = _funnel(cohort_rows(view.scope, first, last) if connected else [], connected)
    cac = _cac(view, cac_rows(view.scope, first, last) if connected else [], connected)
    if view.filters.org or view.filters.plan:
        view.notices.append("Marketing is company-wide: the org and plan filters do not narrow it.")
    context = {"presets": range_presets(view, "/marketing"), "connected": connected}
    return Content(context, [spend, funnel, cac])


def _spend(view: View, connected: bool) -> Chart:
    assert view.filters.start is not None and view.filters.end is not None
    rows = channel_rows(view.scope, view.filters.start, view.filters.end) if connected else []
    return Chart(
        "spend",
        "Spend by channel over the range",
        "bar",
        [str(r["channel"]) for r in rows],
        [Series("spend_cents", "spend", [as_float(r["spend_cents"]) for r in rows])] if rows else [],
        unit="cents",
        empty=NO_MARKETING if not connected else "No spend in this date range.",
        x_label="channel",
    )


def _funnel(rows: list[dict[str, Any]], connected: bool) -> Table:
    """Leads of the range's monthly cohorts through MQL, SQL, deal and won, per channel."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(FUNNEL_STEPS, 0.0))
    for row in rows:
        for step in FUNNEL_STEPS:
            totals[str(row["channel"])][step] += float(row[step] or 0)
    out = []
    for channel, counts in sorted(totals.items(), key=lambda kv: -kv[1]["leads"]):
        leads = counts["leads"]
        out.append(
            {
                "channel": channel,
                **{k: int(v) for k, v in counts.items()},
                "lead_to_mql_rate": counts["mqls"] / leads if leads else None,
                "lead_to_won_rate": counts["won_deals"] / leads if leads else None,
            }
        )
    columns = [
        Column("channel", "channel"),
        Column("leads", "leads", "count"),
        Column("mqls", "MQLs", "count"),
        Column("sqls", "SQLs", "count"),
        Column("deals", "deals", "count"),
        Column("won_deals", "won", "count"),
        Column("lead_to_mql_rate", "lead to MQL", "ratio"),
        Column("lead_to_won_rate", "lead to won", "ratio"),
    ]
    empty = NO_MARKETING if not connected else "No lead in the months of this date range."
    return Table("funnel", "Lead funnel by channel (lead cohorts of the range's months)", columns, out, empty)


def _cac(view: View, rows: list[dict[str, Any]], connected: bool) -> Table:
    """CAC, payback and LTV:CAC per month and channel (``all``: blended), newest month first."""
    for row in rows:
        row["month_start"] = day_of(row["month_start"]).strftime("%Y-%m")
        for key in ("cac_payback_months", "ltv_to_cac"):
            row[key] = as_float(row[key])
    rows.sort(key=lambda r: (r["channel"] != "all", r["channel"]))  # blended first within a month
    rows.sort(key=lambda r: r["month_start"], reverse=True)
    payback = column_limit(view, "marketing_cac_payback_months")  # the payback rule's line: longer is red
    columns = [
        Column("month_start", "month"),
        Column("channel", "channel"),
        Column("spend_cents", "spend", "cents"),
        Column("new_paying_orgs", "new paying orgs", "count"),
        Column("cac_cents", "CAC", "cents"),
        Column("cac_payback_months", "payback (months)", "count", limit=payback),
        Column("ltv_to_cac", "LTV:CAC", "count"),
        Column("cost_per_lead_cents", "cost per lead", "cents"),
        Column("cost_per_mql_cents", "cost per MQL", "cents"),
    ]
    empty = NO_MARKETING if not connected else "No spend or new paying org in the months of this date range."
    title = "CAC, payback and LTV:CAC by month and channel (first touch; all = blended)"
    return Table("cac", title, columns, rows, empty)


PAGE = register(Page("marketing", "Marketing", "/marketing", "marketing.html", build, order=45, requires="pipeline"))
