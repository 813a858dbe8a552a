"""Sales: the pipeline (for roles that read it, see ``pages.pipeline``), then live account signals: orgs that
reached first value in the range, seat utilization with the expansion candidates, declining accounts, and orgs
not yet at first value. Each list says how it is chosen."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.api.scope import Source
from vitals.dashboard.datasets import Column, Dataset, Table
from vitals.dashboard.pages.pipeline import pipeline
from vitals.dashboard.pages.queries import as_float, day_of, range_presets
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.accounts import seat_rows
from vitals.metrics.activity import last_full_week, product_data_start

FIRST_VALUE = Source(
    "{core}.mart_analyses_time_to_first_value t left join {core}.organizations o on o.org_id = t.org_id",
    "org",
    org_column="t.org_id",
)
DECLINING = Source(
    "{core}.mart_analyses_declining_accounts d left join {core}.organizations o on o.org_id = d.org_id",
    "org",
    org_column="d.org_id",
)
JOURNEY = Source(
    "{core}.mart_analyses_journey_stage j left join {core}.organizations o on o.org_id = j.org_id",
    "org",
    org_column="j.org_id",
)
RULES = {
    "activated": "Orgs whose first successful summarization job (first value) falls in the date range, newest first; "
    "orgs that signed up before the product data starts were already active then, so they are left out.",
    "seats": "Active providers are the org's providers with a successful job in the 30 days to the latest built "
    "day; utilization = active providers ÷ seats purchased (latest Stripe invoice or subscription), as the churn "
    "risk (whose 'seats unused' factor is utilization under 50%) has it; most used first.",
    "expansion": "Orgs the churn risk marks as expansion candidates: using at least 90% of their seats (the "
    "churn_risk.expansion_utilization setting of the models), or with more active providers than seats, on that "
    "day; most over-used first.",
    "declining": "Orgs with a full week in the range (the current, unfinished week is left out) whose weekly "
    "active providers fell by 20% or more from the week before (the latest such week per org); largest drop first.",
    "not_activated": "Orgs seen in the app (signed up, or billed) without a successful job by the range's end; "
    "longest waiting first.",
}


def build(view: View) -> Content:
    """The four lists for the view's filters."""
    assert view.filters.end is not None
    week = last_full_week(view.filters.end)
    seats = _seats(view, "seats", expansion_only=False)
    expansion = _seats(view, "expansion", expansion_only=True)
    section, deals = pipeline(view)
    datasets: list[Dataset] = [
        *deals,
        _activated(view),
        seats,
        expansion,
        _declining(view, week),
        _not_activated(view),
    ]
    context = {"rules": RULES, "week": week, "presets": range_presets(view, "/sales"), "pipeline": section}
    return Content(context, datasets)


def _activated(view: View) -> Table:
    conditions, params = view.org_conditions("t.org_id", "o.current_plan")
    rows = view.scope.select(
        FIRST_VALUE,
        columns="t.org_id, t.org_name, o.current_plan as plan, t.signup_at, t.first_transcription_at, "
        "t.days_to_first_value, o.mrr_cents, o.seats_purchased",
        conditions=[
            "t.first_transcription_at is not null",
            "cast(t.first_transcription_at as date) >= ?",
            "cast(t.first_transcription_at as date) <= ?",
            *conditions,
        ],
        params=[view.filters.start, view.filters.end, *params],
        order_by="t.first_transcription_at desc, t.org_name",
        action="dashboard.sales_activated",
        target="mart_analyses_time_to_first_value",
    )
    start = product_data_start(view.scope)
    edge = [r for r in rows if start is not None and r["signup_at"] is not None and day_of(r["signup_at"]) < start]
    rows = [r for r in rows if r not in edge]
    for row in _linked(view, rows):
        row["signup_at"] = _stamp(row["signup_at"])
        row["first_transcription_at"] = _stamp(row["first_transcription_at"])
        row["days_to_first_value"] = as_float(row["days_to_first_value"])
    columns = [
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("signup_at", "signed up (UTC)"),
        Column("first_transcription_at", "first value (UTC)"),
        Column("days_to_first_value", "days to first value", "count"),
        Column("mrr_cents", "MRR", "cents"),
        Column("seats_purchased", "seats", "count"),
    ]
    empty = "No org reached first value in this date range."
    title = "Newly activated orgs"
    if edge and start is not None:
        # orgs that signed up before the product data starts were already active: not newly activated
        title += f" ({len(edge)} already active when the data starts on {start.isoformat()} left out)"
    return Table("activated", title, columns, rows, empty, link="org_name")


def _seats(view: View, key: str, *, expansion_only: bool) -> Table:
    """Seat utilization (or only the expansion candidates) as ``mart_customer_success_churn_risk`` has it."""
    conditions, params = view.org_conditions("c.org_id", "o.current_plan")
    rows = seat_rows(view.scope, conditions, params, expansion_only=expansion_only, action=f"dashboard.sales_{key}")
    for row in _linked(view, rows):
        row["seats_purchased"] = int(row["seats_purchased"])
        row["active_providers"] = int(row["active_providers"] or 0)
        row["utilization"] = as_float(row["utilization"])
        row["free_seats"] = int(row["free_seats"])
    columns = [
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("seats_purchased", "seats", "count"),
        Column("active_providers", "active providers (30 days)", "count"),
        Column("utilization", "utilization", "ratio"),
        Column("free_seats", "unused seats", "count"),
        Column("mrr_cents", "MRR", "cents"),
    ]
    as_of = f" (as of {day_of(rows[0]['metric_date']).isoformat()})" if rows else ""
    if expansion_only:
        empty = "No org is an expansion candidate (none uses 90% or more of its seats)."
        return Table(key, f"Expansion candidates{as_of}", columns, rows, empty, link="org_name")
    empty = "No org has purchased seats as of this date range's end."
    return Table(key, f"Seat utilization{as_of}", columns, rows, empty, link="org_name")


def _declining(view: View, week: date) -> Table:
    conditions, params = view.org_conditions("d.org_id", "o.current_plan")
    rows = view.scope.select(
        DECLINING,
        columns="d.org_id, d.org_name, o.current_plan as plan, d.week_start, d.prev_wap, d.curr_wap, "
        "d.wap_change_abs, d.wap_decline_rate, o.mrr_cents",
        conditions=["d.week_start >= ?", "d.week_start <= ?", *conditions],
        params=[view.filters.start, week, *params],
        order_by="d.week_start desc, d.org_name",
        action="dashboard.sales_declining",
        target="mart_analyses_declining_accounts",
    )
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest.setdefault(row["org_id"], row)
    shown = _linked(view, list(latest.values()))
    for row in shown:
        row["week_start"] = day_of(row["week_start"]).isoformat()
        row["wap_decline_rate"] = as_float(row["wap_decline_rate"])
    shown.sort(key=lambda r: (-(r["wap_decline_rate"] or 0), r["org_name"] or ""))
    columns = [
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("week_start", "week"),
        Column("prev_wap", "active providers week before", "count"),
        Column("curr_wap", "active providers that week", "count"),
        Column("wap_decline_rate", "drop", "ratio"),
        Column("mrr_cents", "MRR", "cents"),
    ]
    empty = "No org's weekly active providers fell by 20% or more in this range."
    return Table("declining", "Declining accounts", columns, shown, empty, link="org_name")


def _not_activated(view: View) -> Table:
    conditions, params = view.org_conditions("j.org_id", "o.current_plan")
    rows = view.scope.select(
        JOURNEY,
        columns="j.org_id, j.org_name, o.current_plan as plan, j.signup_at, j.current_stage, o.mrr_cents, "
        "o.seats_purchased",
        conditions=[
            "(j.first_transcription_at is null or cast(j.first_transcription_at as date) > ?)",
            "(j.signup_at is null or cast(j.signup_at as date) <= ?)",
            *conditions,
        ],
        params=[view.filters.end, view.filters.end, *params],
        order_by="j.signup_at, j.org_name",
        action="dashboard.sales_not_activated",
        target="mart_analyses_journey_stage",
    )
    assert view.filters.end is not None
    for row in _linked(view, rows):
        signup = row["signup_at"]
        row["days_waiting"] = None if signup is None else (view.filters.end - day_of(signup)).days
        row["signup_at"] = _stamp(signup) if signup is not None else "no signup event"
    columns = [
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("signup_at", "signed up (UTC)"),
        Column("days_waiting", "days since signup", "count"),
        Column("mrr_cents", "MRR", "cents"),
        Column("seats_purchased", "seats", "count"),
    ]
    empty = "Every org seen by the range's end has reached first value (a successful summarization job)."
    return Table("not_activated", "Not yet at first value", columns, rows, empty, link="org_name")


def _linked(view: View, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["href"] = view.link(f"/orgs/{row['org_id']}")
        if row.get("mrr_cents") is not None:
            row["mrr_cents"] = int(row["mrr_cents"])
        if row.get("plan") is None:
            row["plan"] = "no plan"
        if not row.get("org_name"):
            row["org_name"] = f"org {str(row['org_id'])[:8]}"
    return rows


def _stamp(value: Any) -> str:
    return str(value)[:16]


PAGE = register(Page("sales", "Sales", "/sales", "sales.html", build, order=40, requires="org_metrics"))
