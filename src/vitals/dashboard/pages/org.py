"""One org: its score, band and the sentence explaining the last move (the API's org detail), the five
health components over time, WAP trend, sessions health, errors and invoices."""

from __future__ import annotations

from typing import Any

from vitals.api.scope import Source
from vitals.dashboard.datasets import Chart, Column, Series, Table
from vitals.dashboard.pages.queries import day_of, metric_chart
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.health import COMPONENTS, org_detail

HEALTH_HISTORY = Source("{core}.mart_customer_success_org_health h", "org", org_column="h.org_id")
SESSIONS = Source("{core}.mart_analyses_session_health s", "org", org_column="s.org_id")
INVOICES = Source("staging.stg_stripe__invoices i", "org", org_column="i.org_id")
INVOICE_LIMIT = 24


def build(view: View) -> Content:
    """The org of the path, over the view's date range."""
    detail = org_detail(view.scope, view.scope.require_org(view.params["org_id"]), view.filters.end)
    org_id = detail.org_id
    components = _components(view, org_id)
    wap = Chart(
        "wap_trend",
        "Weekly active providers (last 8 full weeks: providers with a successful job that week)",
        "bar",
        [p.period_start.isoformat() for p in detail.wap_trend],
        [Series("weekly_active_providers", "Weekly active providers", [p.value for p in detail.wap_trend])],
        empty="No successful job for this org in these weeks: load events (`vitals load`) and run `vitals build`.",
        x_label="week",
    )
    errors = metric_chart(
        view,
        "errors",
        "Errors per 100 attempts",
        ["error_rate_per_100_attempts"],
        org=org_id,
        empty="No summarization attempts in this range: load product events and run `vitals build`.",
    )
    sessions = _sessions(view, org_id)
    invoices = _invoices(view, org_id)
    context = {"org": detail, "component_rows": detail.components}
    return Content(context, [components, wap, errors, sessions, invoices])


def _components(view: View, org_id: str) -> Chart:
    columns = ", ".join(f"h.health_{name}_points" for name in COMPONENTS)
    rows = view.scope.select(
        HEALTH_HISTORY,
        columns=f"h.metric_date, h.health_score, {columns}",
        conditions=["h.org_id = ?", "h.metric_date >= ?", "h.metric_date <= ?"],
        params=[org_id, view.filters.start, view.filters.end],
        order_by="h.metric_date",
        action="dashboard.org_health",
        target=org_id,
    )
    series = [Series(f"health_{n}_points", n, [_num(r[f"health_{n}_points"]) for r in rows]) for n in COMPONENTS]
    return Chart(
        "components",
        "Health components over time (points of the score)",
        "line",
        [day_of(r["metric_date"]).isoformat() for r in rows],
        series,
        unit="score",
        empty="No health score in this range: pick a later date range, or run `vitals build`.",
    )


def _sessions(view: View, org_id: str) -> Table:
    columns = [
        Column("sessions_30d", "sessions 30d", "count"),
        Column("session_p50_duration_sec", "median duration", "seconds"),
        Column("session_p95_duration_sec", "p95 duration", "seconds"),
        Column("session_avg_events", "events per session", "count"),
        Column("session_bounce_rate", "bounce rate", "ratio"),
        Column("session_error_rate", "error rate", "ratio"),
        Column("session_success_rate", "success rate", "ratio"),
    ]
    rows = view.scope.select(
        SESSIONS,
        columns="s.*",
        conditions=["s.org_id = ?"],
        params=[org_id],
        action="dashboard.org_sessions",
        target=org_id,
    )
    empty = "No sessions in the last 30 days: the app's session events have not been loaded (`vitals load`)."
    return Table("sessions", "Sessions health (last 30 days)", columns, rows, empty)


def _invoices(view: View, org_id: str) -> Table:
    columns = [
        Column("invoice_id", "invoice"),
        Column("product", "plan"),
        Column("period_start", "period start"),
        Column("status", "status"),
        Column("amount_cents", "amount", "cents"),
        Column("mrr_cents", "MRR", "cents"),
    ]
    empty = "No invoices for this org: connect Stripe (`vitals ingest stripe` or webhooks) and run `vitals build`."
    if not view.scope.warehouse.table_exists("staging", "stg_stripe__invoices"):
        return Table("invoices", "Invoices", columns, [], empty)
    rows = view.scope.select(
        INVOICES,
        columns="i.invoice_id, i.product, i.period_start, i.status, i.amount_cents, i.mrr_cents",
        conditions=["i.org_id = ?", "cast(i.period_start as date) <= ?"],
        params=[org_id, view.filters.end],
        order_by="i.period_start desc, i.invoice_id",
        limit=INVOICE_LIMIT,
        action="dashboard.org_invoices",
        target=org_id,
    )
    for row in rows:
        row["period_start"] = str(row["period_start"])[:10]
    return Table("invoices", f"Invoices (latest {INVOICE_LIMIT})", columns, rows, empty)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


PAGE = register(Page("org", "Org", "/orgs/{org_id}", "org.html", build, order=90, nav=False))
