"""Revenue: the daily MRR trend, the movements by month, ARPA, logo and revenue churn, NRR and GRR by month,
and the logo and revenue retention of the cohorts by first paid month."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from vitals.api.scope import Source
from vitals.api.series import period_start
from vitals.dashboard.datasets import Chart, Column, Dataset, Series, Table
from vitals.dashboard.heat import HeatTable
from vitals.dashboard.pages.queries import MOVEMENTS, as_float, day_of, metric_chart
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View

SUMS = ("start_mrr_cents", "end_mrr_cents", *(name for name, _, _ in MOVEMENTS))
ORG_MRR = Source(
    "{core}.mart_revenue_mrr_daily d left join {core}.organizations o on o.org_id = d.org_id",
    "org",
    org_column="d.org_id",
)
ORG_MOVEMENTS = Source(
    "{core}.mart_revenue_movements_monthly m left join {core}.organizations o on o.org_id = m.org_id",
    "org",
    org_column="m.org_id",
)
MONTHLY = Source("{core}.mart_revenue_monthly", "global")
COHORTS = Source("{core}.mart_revenue_cohorts", "global")
NO_STRIPE = (
    "No Stripe data: run `vitals ingest stripe` or send Stripe webhooks to /webhooks/stripe, then `vitals build`."
)
RATES = ("arpa_month_end_cents", "nrr", "grr", "logo_churn_rate", "revenue_churn_rate")


def build(view: View) -> Content:
    """The page's charts and tables for the view's filters."""
    trend = _trend(view)
    months = _months(view)
    labels = [m["month"] for m in months]
    has = bool(months)
    movements = Chart(
        "movements",
        "MRR movements by month",
        "stacked",
        labels,
        [Series(k, label, [sign * m[k] for m in months]) for k, label, sign in MOVEMENTS]
        + [Series("end_mrr_cents", "MRR at month end", [m["end_mrr_cents"] for m in months])],
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
    )
    arpa = Chart(
        "arpa",
        "ARPA (MRR per paying org at month end)",
        "bar",
        labels,
        [Series("arpa_month_end_cents", "ARPA", [m["arpa_month_end_cents"] for m in months])],
        unit="cents",
        empty=NO_STRIPE,
        x_label="month",
    )
    churn = Chart(
        "churn",
        "Logo and revenue churn rate by month",
        "line",
        labels,
        [
            Series("logo_churn_rate", "logo churn", [m["logo_churn_rate"] for m in months]),
            Series("revenue_churn_rate", "revenue churn", [m["revenue_churn_rate"] for m in months]),
        ],
        unit="ratio",
        empty=NO_STRIPE if not has else "No org paid at the start of these months: churn is not defined yet.",
        x_label="month",
    )
    retention = Chart(
        "nrr_grr",
        "NRR and GRR by month",
        "line",
        labels,
        [Series("nrr", "NRR", [m["nrr"] for m in months]), Series("grr", "GRR", [m["grr"] for m in months])],
        unit="ratio",
        empty=NO_STRIPE if not has else "No org paid at the start of these months: NRR and GRR are not defined yet.",
        x_label="month",
    )
    table = Table("monthly", "Revenue by month", _month_columns(), months, NO_STRIPE)
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
        *(t for t in (logos, revenue) if t is not None),
    ]
    return Content({"cohorts_readable": logos is not None}, datasets)


def _trend(view: View) -> Chart:
    """Daily MRR over the range: the catalog's metric (global or the org's), or the sum over the plan's orgs."""
    title = "MRR (daily)"
    if not (view.filters.plan and view.scope.allows("org_metrics")):
        return metric_chart(view, "mrr_trend", title, ["mrr_cents"], org=view.filters.org, empty=NO_STRIPE)
    conditions, params = view.org_conditions("d.org_id", "o.current_plan")
    rows = view.scope.select(
        ORG_MRR,
        columns="d.metric_date, d.mrr_cents",
        conditions=["d.metric_date >= ?", "d.metric_date <= ?", *conditions],
        params=[view.filters.start, view.filters.end, *params],
        action="dashboard.mrr_daily",
        target="mart_revenue_mrr_daily",
    )
    days: dict[date, float] = defaultdict(float)
    for row in rows:
        days[day_of(row["metric_date"])] += float(row["mrr_cents"] or 0)
    ordered = sorted(days)
    series = [Series("mrr_cents", "MRR", [days[d] for d in ordered])]
    return Chart("mrr_trend", title, "line", [d.isoformat() for d in ordered], series, unit="cents", empty=NO_STRIPE)


def _months(view: View) -> list[dict[str, Any]]:
    """Per month of the range: the bridge, paying orgs at start and end, ARPA, NRR, GRR and churn rates, over
    the orgs of the filters (the same sums and ratios as ``mart_revenue_monthly``; company-wide for roles
    that read no org rows)."""
    assert view.filters.start is not None and view.filters.end is not None
    bounds = [period_start(view.filters.start, "month"), view.filters.end]
    if not view.scope.allows("org_metrics"):
        rows = view.scope.select(
            MONTHLY,
            columns="*",
            conditions=["month_start >= ?", "month_start <= ?"],
            params=bounds,
            order_by="month_start",
            org_level=False,
        )
        return [_month_row(day_of(r["month_start"]), r) for r in rows]
    conditions, params = view.org_conditions("m.org_id", "o.current_plan")
    rows = view.scope.select(
        ORG_MOVEMENTS,
        columns="m.*",
        conditions=["m.month_start >= ?", "m.month_start <= ?", *conditions],
        params=[*bounds, *params],
        action="dashboard.revenue_movements",
        target="mart_revenue_movements_monthly",
    )
    months: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        month = months[day_of(row["month_start"])]
        for key in SUMS:
            month[key] += float(row[key] or 0)
        start, end = float(row["start_mrr_cents"] or 0), float(row["end_mrr_cents"] or 0)
        month["customers_start"] += start > 0
        month["customers_end"] += end > 0
        month["churned_customers"] += row["movement"] == "churn"
        month["retained_cohort_end"] += end if start > 0 else 0.0
    return [_month_row(m, _ratios(months[m])) for m in sorted(months)]


def _ratios(month: dict[str, float]) -> dict[str, Any]:
    """The mart's ratios of one month's sums (None where undefined)."""
    start, customers_start, customers_end = month["start_mrr_cents"], month["customers_start"], month["customers_end"]
    lost = month["contraction_mrr_cents"] + month["churned_mrr_cents"]
    return {
        **month,
        "arpa_month_end_cents": month["end_mrr_cents"] / customers_end if customers_end else None,
        "nrr": month["retained_cohort_end"] / start if start else None,
        "grr": (start - lost) / start if start else None,
        "logo_churn_rate": month["churned_customers"] / customers_start if customers_start else None,
        "revenue_churn_rate": lost / start if start else None,
    }


def _month_row(month: date, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"month": month.strftime("%Y-%m")}
    for key in (*SUMS, "customers_start", "customers_end", "churned_customers"):
        out[key] = float(row[key] or 0)
    for key in RATES:
        out[key] = None if row[key] is None else float(row[key])
    return out


def _month_columns() -> list[Column]:
    return [
        Column("month", "month"),
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
    empty = f"No org started paying in this range. {NO_STRIPE}"
    logos = HeatTable(
        "logo_cohorts",
        "Logo retention by first paid month (share of the cohort's orgs paying at each month's end)",
        [Column("cohort", "cohort"), Column("cohort_orgs", "orgs", "count")]
        + [Column(f"logo_m{a}", f"month {a}", "ratio") for a in ages],
        cohorts,
        empty,
        heat=[f"logo_m{a}" for a in ages],
        peak=1.0,
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
    )
    return logos, revenue


PAGE = register(Page("revenue", "Revenue", "/revenue", "revenue.html", build, order=30))
