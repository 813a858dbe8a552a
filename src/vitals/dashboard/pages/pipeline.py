"""The sales page's pipeline (above its account signals): the pipeline's figures as of the range's end, the
funnel by stage, bookings against quota per rep, the largest open and the stalled deals, and the forecast by
expected close month. For roles that read the vendor's own sales data (``pipeline``: admin, analyst, sales)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.dashboard.datasets import Chart, Column, Dataset, Series, Table, display
from vitals.dashboard.pages.queries import as_float, day_of
from vitals.dashboard.view import View
from vitals.metrics.sales import (
    crm_connected,
    deal_rows,
    forecast_rows,
    quota_rows,
    sales_day,
    sales_snapshot,
    stage_rows,
)
from vitals.metrics.series import period_start

NO_CRM = "No deals: the CRM is not connected (load crm_deals, or pull HubSpot; see the sources docs)."
FIGURES = (
    ("sales_pipeline_cents", "Open pipeline", "cents"),
    ("sales_weighted_pipeline_cents", "Weighted pipeline", "cents"),
    ("sales_pipeline_coverage", "Coverage of the quarter's remaining quota", "multiple"),
    ("sales_win_rate_90d", "Win rate (deals closed in 90 days)", "ratio"),
    ("sales_cycle_days_90d", "Sales cycle (median days, won in 90 days)", "count"),
    ("sales_quota_attainment_mtd", "Quota attainment, month to date", "ratio"),
    ("sales_stalled_deals", "Stalled deals", "count"),
)
"""The pipeline's figures shown as cards: column of ``mart_sales_daily``, label, unit."""
TOP_DEALS = 10
FORECAST_MONTHS = 6


def pipeline(view: View) -> tuple[dict[str, Any], list[Dataset]]:
    """The section's context (cards, day, whether deals are loaded) and its datasets; nothing for a role that
    does not read the pipeline."""
    if not view.scope.allows("pipeline"):
        return {"shown": False}, []
    assert view.filters.end is not None
    connected = crm_connected(view.scope)
    day = sales_day(view.scope, view.filters.end) if connected else None
    snapshot = sales_snapshot(view.scope, day) if day else None
    cards = [
        {"metric": key, "label": label, "value": as_float(snapshot.get(key)), "text": _text(unit, snapshot.get(key))}
        for key, label, unit in FIGURES
        if snapshot is not None
    ]
    month = period_start(day or view.filters.end, "month")
    datasets: list[Dataset] = [
        _stages(view, connected),
        _quota(view, month, connected),
        _deals(view, "top_deals", connected, stalled=False),
        _deals(view, "stalled_deals", connected, stalled=True),
        _forecast(view, month, connected),
    ]
    return {"shown": True, "connected": connected, "day": day, "cards": cards, "month": month}, datasets


def _text(unit: str, value: Any) -> str:
    if unit == "multiple":
        return "–" if value is None else f"{float(value):.1f}x"
    return display(unit, value)


def _stages(view: View, connected: bool) -> Chart:
    """The funnel by stage: deals that ever entered each stage, and those in it now (every pipeline)."""
    entered: dict[str, float] = {}
    now: dict[str, float] = {}
    for row in stage_rows(view.scope) if connected else []:
        stage = str(row["stage"])
        entered[stage] = entered.get(stage, 0.0) + float(row["deals_entered"] or 0)
        now[stage] = now.get(stage, 0.0) + float(row["deals_in_stage"] or 0)
    stages = sorted(entered, key=lambda s: -entered[s])
    return Chart(
        "stage_funnel",
        "Funnel by stage (deals that reached each stage, and those in it now)",
        "bar",
        stages,
        [
            Series("deals_entered", "reached the stage", [entered[s] for s in stages]),
            Series("deals_in_stage", "in it now", [now[s] for s in stages]),
        ]
        if stages
        else [],
        empty=NO_CRM if not connected else "No deal has entered a stage yet.",
        x_label="stage",
    )


def _quota(view: View, month: date, connected: bool) -> Table:
    """Bookings against quota per rep in the month of the range's end."""
    rows = quota_rows(view.scope, month) if connected else []
    for row in rows:
        row["quota_attainment"] = as_float(row["quota_attainment"])
    columns = [
        Column("segment_name", "rep"),
        Column("team", "team"),
        Column("quota_cents", "quota", "cents"),
        Column("won_amount_cents", "booked", "cents"),
        Column("deals_won", "deals won", "count"),
        Column("quota_attainment", "attainment", "ratio", limit=("<", 1.0)),
    ]
    shown = day_of(rows[0]["month_start"]) if rows else month
    title = f"Bookings against quota per rep, {shown:%Y-%m}" + (" (month to date)" if shown == month else "")
    empty = NO_CRM if not connected else "No quota or booking in this month."
    return Table("quota", title, columns, rows, empty)


def _deals(view: View, key: str, connected: bool, *, stalled: bool) -> Table:
    """The largest open deals, or every stalled one (open, no stage change and no activity for a while)."""
    rows = (
        deal_rows(
            view.scope,
            status="stalled" if stalled else "open",
            order_by="d.days_since_touch desc, d.amount_cents desc, d.deal_id"
            if stalled
            else "d.amount_cents desc nulls last, d.deal_id",
            limit=None if stalled else TOP_DEALS,
            action=f"dashboard.{key}",
        )
        if connected
        else []
    )
    for row in rows:
        row["expected_close_date"] = (
            day_of(row["expected_close_date"]).isoformat() if row["expected_close_date"] else None
        )
        if row["org_id"]:
            row["href"] = view.link(f"/orgs/{row['org_id']}")
    columns = [
        Column("company_name", "company"),
        Column("owner_id", "owner"),
        Column("stage", "stage"),
        Column("amount_cents", "amount", "cents"),
        Column("expected_close_date", "expected close"),
        Column("days_since_touch", "days since last touch", "count"),
    ]
    if stalled:
        title, empty = "Stalled deals (open, no stage change and no activity lately)", "No stalled deal."
    else:
        title, empty = f"Largest open deals (top {TOP_DEALS})", "No open deal."
    return Table(key, title, columns, rows, NO_CRM if not connected else empty, link="company_name")


def _forecast(view: View, month: date, connected: bool) -> Chart:
    """Won, commit and best case by expected close month, from the range's last month on."""
    last = period_start(
        date(month.year + (month.month + FORECAST_MONTHS - 2) // 12, (month.month + FORECAST_MONTHS - 2) % 12 + 1, 1),
        "month",
    )
    rows = forecast_rows(view.scope, month, last) if connected else []
    labels = [day_of(r["month_start"]).strftime("%Y-%m") for r in rows]
    series = [
        Series("won_amount_cents", "won", [as_float(r["won_amount_cents"]) for r in rows]),
        Series(
            "forecast_commit_cents",
            "commit (won + commit stages)",
            [as_float(r["forecast_commit_cents"]) for r in rows],
        ),
        Series(
            "forecast_best_case_cents",
            "best case",
            [as_float(r["forecast_best_case_cents"]) for r in rows],
        ),
    ]
    return Chart(
        "forecast",
        "Forecast by expected close month",
        "bar",
        labels,
        series if rows else [],
        unit="cents",
        empty=NO_CRM if not connected else "No deal expected to close in these months.",
        x_label="month",
    )
