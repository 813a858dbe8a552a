"""Revenue: the daily MRR trend, the movements by month, ARPA, logo and revenue churn, NRR and GRR by month,
and the logo and revenue retention of the cohorts by first paid month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from vitals.api.scope import BadRequest, Source
from vitals.dashboard.datasets import Chart, Column, Dataset, Series, Table
from vitals.dashboard.heat import HeatTable
from vitals.dashboard.pages.queries import (
    as_float,
    day_of,
    metric_chart,
    range_presets,
    revenue_month_link,
    view_revenue_months,
    with_previous_period,
)
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.revenue import COUNTS, MOVEMENTS, RATES, SUMS, mrr_by_day, org_movements
from vitals.metrics.series import latest_day, period_start

COHORTS = Source("{core}.mart_revenue_cohorts", "global")
FULL_MONTH = "full month"
NO_STRIPE = "No revenue (Stripe) data for this date range: the data may end before the range or start after it."


def build(view: View) -> Content:
    """The page's charts and tables for the view's filters."""
    trend = _trend(view)
    built = view.scope.warehouse.table_exists(view.scope.warehouse.core_schema, "metrics_daily")
    through = (latest_day(view.scope, view.filters.end) if built else None) or view.filters.end
    months = _months(view, through)
    labels = [m["month"] for m in months]
    has = bool(months)
    partial = next((m for m in months if m["period"] != FULL_MONTH), None)
    note = "" if partial is None else f" ({partial['month']} is partial: month to date, {partial['period']})"
    marked = [] if partial is None else [partial["month"]]
    movements = Chart(
        "movements",
        "MRR movements by month" + note,
        "stacked",
        labels,
        [Series(k, label, [sign * m[k] for m in months]) for k, label, sign in MOVEMENTS]
        + [Series("end_mrr_cents", "MRR at month end", [m["end_mrr_cents"] for m in months])],
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
        partial=marked,
    )
    arpa = Chart(
        "arpa",
        "ARPA (MRR per paying org at month end)" + note,
        "bar",
        labels,
        [Series("arpa_month_end_cents", "ARPA", [m["arpa_month_end_cents"] for m in months])],
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
        partial=marked,
    )
    churn = Chart(
        "churn",
        "Logo and revenue churn rate by month" + note,
        "line",
        labels,
        [
            Series("logo_churn_rate", "logo churn", [m["logo_churn_rate"] for m in months]),
            Series("revenue_churn_rate", "revenue churn", [m["revenue_churn_rate"] for m in months]),
        ],
        unit="ratio",
        empty=NO_STRIPE if not has else "No org paid at the start of these months: churn is not defined yet.",
        x_label="month",
        partial=marked,
    )
    retention = Chart(
        "nrr_grr",
        "NRR and GRR by month" + note,
        "line",
        labels,
        [Series("nrr", "NRR", [m["nrr"] for m in months]), Series("grr", "GRR", [m["grr"] for m in months])],
        unit="ratio",
        empty=NO_STRIPE if not has else "No org paid at the start of these months: NRR and GRR are not defined yet.",
        x_label="month",
        partial=marked,
    )
    month = _month_filter(view)
    movers = _movers(view, month)
    if movers is not None:
        for row in months:
            row["href"] = revenue_month_link(view, row["month"])
        movements.links = [row["href"] for row in months]
    link = "month" if movers is not None else None
    table = Table("monthly", "Revenue by month" + note, _month_columns(), months, NO_STRIPE, link=link)
    logos, revenue = _cohorts(view)
    if view.filters.org or view.filters.plan:
        view.notices.append(
            "The cohorts are company-wide (there are no per-org or per-plan cohorts); the org and plan filters "
            "narrow the MRR trend, the movements and the monthly ratios."
        )
    datasets: list[Dataset] = [
        trend,
        movements,
        arpa,
        churn,
        retention,
        table,
        *(t for t in (movers, logos, revenue) if t is not None),
    ]
    context = {
        "cohorts_readable": logos is not None,
        "presets": range_presets(view, "/revenue"),
        "movers": movers,
        "month": month,
        "all_months_href": view.link("/revenue") + "#org_movements",
    }
    return Content(context, datasets)


def _month_filter(view: View) -> str | None:
    """The page's own ``month`` filter (``YYYY-MM``): the month whose movers are listed."""
    month = (view.query.get("month") or "").strip() or None
    if month is not None:
        try:
            date.fromisoformat(month + "-01")
        except ValueError:
            raise BadRequest(f"'month' is not a month (YYYY-MM): {month[:20]!r}") from None
    return month


MOVEMENT_KINDS = ("new", "expansion", "reactivation", "contraction", "churn")
"""The values of ``mart_revenue_movements_monthly.movement`` an org can be listed by."""


def _movement_filter(view: View) -> str | None:
    """The page's own ``movement`` filter: only the orgs of one movement (``new``: a cohort's orgs)."""
    movement = (view.query.get("movement") or "").strip() or None
    if movement is not None and movement not in MOVEMENT_KINDS:
        raise BadRequest(f"'movement' is one of {', '.join(MOVEMENT_KINDS)}, not {movement[:20]!r}")
    return movement


def _movers(view: View, month: str | None) -> Table | None:
    """The orgs behind the bridge (each org that moved, per month of the range, or of ``month``; with the
    ``movement`` filter, of that movement only); None for a role that reads no org rows."""
    if not view.scope.allows("org_metrics"):
        return None
    assert view.filters.start is not None and view.filters.end is not None
    first, last = period_start(view.filters.start, "month"), view.filters.end
    if month is not None:
        first = last = date.fromisoformat(month + "-01")
    conditions, params = view.org_conditions("m.org_id", "o.current_plan")
    movement = _movement_filter(view)
    if movement is not None:
        conditions.append("m.movement = ?")
        params.append(movement)
    rows = org_movements(view.scope, first, last, conditions, params, action="dashboard.revenue_movers")
    for row in rows:
        row["month_start"] = day_of(row["month_start"]).strftime("%Y-%m")
        row["href"] = view.link(f"/orgs/{row['org_id']}")
        row["org_name"] = row["org_name"] or f"org {str(row['org_id'])[:8]}"
        for key in ("start_mrr_cents", "end_mrr_cents"):
            row[key] = None if row[key] is None else int(row[key])
    columns = [
        Column("month_start", "month"),
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("movement", "movement"),
        Column("start_mrr_cents", "MRR at start", "cents"),
        Column("end_mrr_cents", "MRR at end", "cents"),
    ]
    title = f"Orgs behind the movements of {month}" if month else "Orgs behind the MRR movements"
    if movement is not None:
        title += f": {movement} only" + (
            " (the orgs of the cohort that started paying then)" if movement == "new" else ""
        )
    empty = "No org's MRR moved in this date range." if month is None else f"No org's MRR moved in {month}."
    return Table("org_movements", title, columns, rows, empty, link="org_name")


def _trend(view: View) -> Chart:
    """Daily MRR over the range: the catalog's metric (global or the org's), or the total over the plan's orgs."""
    title = "MRR (daily)"
    if not (view.filters.plan and view.scope.allows("org_metrics")):
        title += ", with the period of the same length before it"
        chart = metric_chart(view, "mrr_trend", title, ["mrr_cents"], org=view.filters.org, empty=NO_STRIPE)
        return with_previous_period(view, chart, "mrr_cents", org=view.filters.org)
    assert view.filters.start is not None and view.filters.end is not None
    conditions, params = view.org_conditions("d.org_id", "o.current_plan")
    rows = mrr_by_day(
        view.scope, view.filters.start, view.filters.end, conditions, params, action="dashboard.mrr_daily"
    )
    series = [Series("mrr_cents", "MRR", [float(r["mrr_cents"] or 0) for r in rows])]
    labels = [day_of(r["metric_date"]).isoformat() for r in rows]
    return Chart("mrr_trend", title, "line", labels, series, unit="cents", empty=NO_STRIPE)


def _months(view: View, through: date | None) -> list[dict[str, Any]]:
    """Per month of the range, over the orgs of the filters (company-wide for roles that read no org rows):
    the bridge, paying orgs at start and end, ARPA, NRR, GRR and churn rates, as the read layer gives them;
    a month that ends after ``through`` (the last day with data in the range) is marked partial."""
    rows = view_revenue_months(view, "dashboard.revenue_movements")
    return [_month_row(day_of(r["month_start"]), r, through) for r in rows]


def _month_row(month: date, row: dict[str, Any], through: date | None) -> dict[str, Any]:
    out: dict[str, Any] = {"month": month.strftime("%Y-%m"), "period": FULL_MONTH}
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if through is not None and month <= through < last:
        out["period"] = f"to {through.isoformat()}"
    for key in (*SUMS, *COUNTS):
        out[key] = float(row[key] or 0)
    for key in RATES:
        out[key] = as_float(row[key])
    return out


def _month_columns() -> list[Column]:
    return [
        Column("month", "month"),
        Column("period", "covers"),
        Column("start_mrr_cents", "MRR at start", "cents"),
        Column("end_mrr_cents", "MRR at end", "cents"),
        Column("customers_start", "paying orgs at start", "count"),
        Column("customers_end", "paying orgs at end", "count"),
        Column("churned_customers", "churned orgs", "count"),
        Column("arpa_month_end_cents", "ARPA", "cents"),
        Column("nrr", "NRR", "ratio"),
        Column("grr", "GRR", "ratio"),
        Column("logo_churn_rate", "logo churn", "ratio"),
        Column("revenue_churn_rate", "revenue churn", "ratio"),
    ]


def _cohorts(view: View) -> tuple[HeatTable | None, HeatTable | None]:
    """Logo and revenue retention of the cohorts (by first paid month) that start in the range; None for an
    org token (the cohorts are company-wide)."""
    if view.scope.org_id is not None:
        return None, None
    assert view.filters.start is not None and view.filters.end is not None
    rows = view.scope.select(
        COHORTS,
        columns="cohort_month, months_since_start, cohort_orgs, cohort_mrr_cents, logo_retention, revenue_retention",
        conditions=["cohort_month >= ?", "activity_month <= ?"],
        params=[period_start(view.filters.start, "month"), view.filters.end],
        order_by="cohort_month, months_since_start",
        org_level=False,
    )
    ages = sorted({int(r["months_since_start"]) for r in rows})
    grid: dict[date, dict[str, Any]] = {}
    for row in rows:
        month = day_of(row["cohort_month"])
        cohort = grid.setdefault(
            month,
            {
                "cohort": month.strftime("%Y-%m"),
                "cohort_orgs": int(row["cohort_orgs"] or 0),
                "cohort_mrr_cents": int(row["cohort_mrr_cents"] or 0),
            },
        )
        age = int(row["months_since_start"])
        cohort[f"logo_m{age}"] = as_float(row["logo_retention"])
        cohort[f"revenue_m{age}"] = as_float(row["revenue_retention"])
    cohorts = [grid[m] for m in sorted(grid)]
    if view.scope.allows("org_metrics"):  # a cohort opens its orgs: those whose first paid month it is
        for cohort in cohorts:
            cohort["href"] = revenue_month_link(view, cohort["cohort"], movement="new")
    empty = "No org started paying in this date range."
    logos = HeatTable(
        "logo_cohorts",
        "Logo retention by first paid month (share of the cohort's orgs paying at each month's end)",
        [Column("cohort", "cohort"), Column("cohort_orgs", "orgs", "count")]
        + [Column(f"logo_m{a}", f"month {a}", "ratio") for a in ages],
        cohorts,
        empty,
        heat=[f"logo_m{a}" for a in ages],
        peak=1.0,
        link="cohort",
    )
    revenue = HeatTable(
        "revenue_cohorts",
        "Revenue retention by first paid month (the cohort's MRR against its first month's)",
        [Column("cohort", "cohort"), Column("cohort_mrr_cents", "MRR month 0", "cents")]
        + [Column(f"revenue_m{a}", f"month {a}", "ratio") for a in ages],
        cohorts,
        empty,
        heat=[f"revenue_m{a}" for a in ages],
        peak=1.0,
        link="cohort",
    )
    return logos, revenue


PAGE = register(Page("revenue", "Revenue", "/revenue", "revenue.html", build, order=30))
