"""One org: its score, band and the sentence explaining the last move (the API's org detail), the five
health components over time, WAP trend, sessions health, errors, NPS and invoices."""

from __future__ import annotations

from typing import Any

from vitals.api.scope import Source
from vitals.dashboard.datasets import Chart, Column, Series, Table, timestamp
from vitals.dashboard.pages.nps_themes import themes_table
from vitals.dashboard.pages.queries import day_of, metric_chart
from vitals.dashboard.registry import CUSTOMER_ROLE, Content, Page, register
from vitals.dashboard.view import View
from vitals.errors import NotFound
from vitals.metrics.activity import wap_trend
from vitals.metrics.health import COMPONENTS, WAP_TREND_WEEKS, org_detail, org_profile
from vitals.metrics.models import OrgDetail, RiskOut
from vitals.metrics.nps import nps_day, nps_rows

HEALTH_HISTORY = Source("{core}.mart_customer_success_org_health h", "org", org_column="h.org_id")
SESSIONS = Source("{core}.mart_analyses_session_health s", "org", org_column="s.org_id")
INVOICES = Source("staging.stg_stripe__invoices i", "org", org_column="i.org_id")
INVOICE_LIMIT = 24
CUSTOMER_LATENCY = (
    ("turnaround", "Turnaround (submit to completed)", "duration_ms"),
    ("summarization", "Summarization time", "summarize_ms"),
)
CUSTOMER_NO_JOBS = "No completed jobs for this org in this date range."


def build(view: View) -> Content:
    """The org of the path, over the view's date range; an org without a current score (a churned org, say)
    shows what exists: its plan, last activity and invoices."""
    org_id = view.scope.require_org(view.params["org_id"])
    profile: dict[str, Any] | None = None
    try:
        detail = org_detail(view.scope, org_id, view.filters.end)
    except NotFound:
        profile = org_profile(view.scope, org_id)
        if profile is None:
            raise
        detail = _unscored(view, profile)
    components = _components(view, org_id)
    wap = Chart(
        "wap_trend",
        "Weekly active providers (last 8 full weeks: providers with a successful job that week)",
        "bar",
        [p.period_start.isoformat() for p in detail.wap_trend],
        [Series("weekly_active_providers", "Weekly active providers", [p.value for p in detail.wap_trend])],
        empty="No successful job for this org in these weeks.",
        x_label="week",
    )
    errors = metric_chart(
        view,
        "errors",
        "Errors per 100 attempts",
        ["error_rate_per_100_attempts"],
        org=org_id,
        empty="No summarization attempts for this org in this date range.",
    )
    sessions = _sessions(view, org_id)
    if view.scope.role == CUSTOMER_ROLE:
        return _customer(view, detail, [wap, errors, sessions])
    invoices = _invoices(view, org_id)
    nps_trend = metric_chart(
        view, "nps_trend", "NPS (trailing 90 days)", ["nps"], org=org_id, empty="No NPS response of this org yet."
    )
    context = {
        "org": detail,
        "component_rows": detail.components,
        "profile": _profile_text(profile),
        "customer": False,
        "nps": _nps(view, org_id),
    }
    themes = themes_table(view, org_id)
    return Content(context, [components, wap, errors, sessions, nps_trend, themes, invoices])


def _nps(view: View, org_id: str) -> dict[str, Any] | None:
    """The org's NPS over the 90 days to the range's last day with responses (None: it never answered)."""
    day = nps_day(view.scope, view.filters.end)
    found = nps_rows(view.scope, day, ["n.org_id = ?"], [org_id], action="dashboard.org_nps") if day else []
    return found[0] if found else None


def _customer(view: View, detail: OrgDetail, usage: list[Chart | Table]) -> Content:
    """An org token's own page (a customer's admin): its usage and reliability, none of the vendor's view of
    the account (health score and band, MRR, churn risk, invoices)."""
    latency = [
        metric_chart(view, key, title, [f"{prefix}_p50", f"{prefix}_p95"], org=detail.org_id, empty=CUSTOMER_NO_JOBS)
        for key, title, prefix in CUSTOMER_LATENCY
    ]
    return Content({"org": detail, "customer": True}, [*usage, *latency])


def _unscored(view: View, profile: dict[str, Any]) -> OrgDetail:
    """The org page's head for an org with no health score on the range's end."""
    assert view.filters.end is not None
    org_id = str(profile["org_id"])
    return OrgDetail(
        org_id=org_id,
        org_name=profile["org_name"],
        as_of=view.filters.end,
        health_score=None,
        health_band=None,
        health_score_change_7d=None,
        mrr_cents=None if profile["mrr_cents"] is None else int(profile["mrr_cents"]),
        plan=profile["plan"],
        is_at_risk=None,
        components=[],
        sentence=None,
        providers_scored=None,
        wap_trend=wap_trend(view.scope, org_id, view.filters.end, WAP_TREND_WEEKS, action="orgs.read", audited=False),
        risk=RiskOut(is_at_risk=None, risk_rank=None, mrr_at_risk_cents=None, factors=[]),
    )


def _profile_text(profile: dict[str, Any] | None) -> dict[str, str] | None:
    """What the page says of an org without a current score (None for a scored org)."""
    if profile is None:
        return None
    status = "active" if profile["is_active"] else "no longer active (churned or paused)"
    return {
        "status": status,
        "first_seen": timestamp(profile["first_seen_at"]) if profile["first_seen_at"] is not None else "never",
        "last_seen": timestamp(profile["last_seen_at"]) if profile["last_seen_at"] is not None else "never",
    }


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
        empty="No health score for this org in this date range.",
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
    empty = "No sessions for this org in the last 30 days of the data."
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
    empty = "No invoices for this org up to the end of this date range."
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


PAGE = register(Page("org", "Org", "/orgs/{org_id}", "org.html", build, order=90, nav=False, customer=True))
