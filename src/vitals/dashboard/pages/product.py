"""Product: when the product is used (weekday × hour, app events vs summarization jobs), the adoption
funnel, time to first value, provider retention cohorts, feature adoption and the provider lifecycle."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from vitals.api.scope import Source
from vitals.dashboard.datasets import Chart, Column, Dataset, Series
from vitals.dashboard.heat import HeatTable
from vitals.dashboard.pages.queries import as_float, day_of, range_presets
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.activity import product_data_start
from vitals.metrics.adoption import RATES, STEPS, funnel_totals
from vitals.metrics.series import latest_day

HOURLY = Source("{core}.mart_analyses_hourly_load", "global")
FIRST_VALUE = Source(
    "{core}.mart_analyses_time_to_first_value t left join {core}.organizations o on o.org_id = t.org_id",
    "org",
    org_column="t.org_id",
)
RETENTION = Source("{core}.mart_product_retention_cohorts", "long")
ADOPTION = Source("{core}.mart_product_feature_adoption", "long")
LIFECYCLE = Source("{core}.mart_product_lifecycle", "long")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Rows of the heat maps, Monday first (the mart's ``dow`` is 0 = Sunday)."""
BUCKETS = ((1, "under 1 day"), (3, "1–3 days"), (7, "3–7 days"), (14, "7–14 days"), (30, "14–30 days"))
NO_EVENTS = "No product events for this date range: the app's data may end before the range or start after it."
NO_ORG_ROWS = "This list is summed over orgs: a viewer token reads company-wide metrics only."


def build(view: View) -> Content:
    """The page's charts and heat maps for the view's filters."""
    events, jobs = _load(view)
    funnel = _funnel(view)
    ttfv = _time_to_first_value(view)
    entity = view.scope.entity(view.filters.org)
    datasets: list[Dataset] = [
        *(t for t in (events, jobs) if t is not None),
        funnel,
        ttfv,
        _retention(view, entity),
        _adoption(view, entity),
        _lifecycle(view, entity),
    ]
    if view.filters.plan:
        view.notices.append(
            "The plan filter narrows the funnel and the time to first value; the heat maps, cohorts, feature "
            "adoption and lifecycle are company-wide or per org (there is no per-plan series)."
        )
    elif view.filters.org and view.scope.org_id is None:
        view.notices.append("The usage heat maps are company-wide; the other charts are the org's.")
    context = {"load_readable": events is not None, "presets": range_presets(view, "/product")}
    return Content(context, datasets)


def _load(view: View) -> tuple[HeatTable | None, HeatTable | None]:
    """Average app events and successful jobs per weekday and hour (company-wide; None for an org token)."""
    if view.scope.org_id is not None:
        return None, None
    rows = view.scope.select(
        HOURLY,
        columns="dow, hour_of_day, avg_events, avg_successful_jobs",
        order_by="dow, hour_of_day",
        org_level=False,
    )
    grids = {"avg_events": _grid(rows, "avg_events"), "avg_successful_jobs": _grid(rows, "avg_successful_jobs")}
    columns = [Column("day", "day"), *(Column(f"h{h:02d}", f"{h:02d}", "count") for h in range(24))]
    heat = [f"h{h:02d}" for h in range(24)]
    events = HeatTable(
        "load_events",
        "App events per weekday and hour (average per day with any)",
        columns,
        grids["avg_events"],
        NO_EVENTS,
        heat=heat,
    )
    jobs = HeatTable(
        "load_jobs",
        "Successful summarization jobs per weekday and hour (average per day with any)",
        columns,
        grids["avg_successful_jobs"],
        NO_EVENTS,
        heat=heat,
    )
    return events, jobs


def _grid(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    if not any(r[key] for r in rows):
        return []
    by_day: dict[int, dict[str, Any]] = {}
    for row in rows:
        monday_first = (int(row["dow"]) + 6) % 7
        cells = by_day.setdefault(monday_first, {"day": DAYS[monday_first]})
        cells[f"h{int(row['hour_of_day']):02d}"] = float(row[key] or 0)
    return [by_day[d] for d in sorted(by_day)]


def _funnel(view: View) -> Chart:
    """Providers at each step of the adoption funnel, summed over the orgs of the filters."""
    title = "Adoption funnel (providers)"
    if not view.scope.allows("org_metrics"):
        return Chart("funnel", title, "bar", [], [], empty=NO_ORG_ROWS, x_label="step")
    conditions, params = view.org_conditions("f.org_id", "o.current_plan")
    totals = funnel_totals(view.scope, conditions, params, action="dashboard.funnel")
    values: list[float | None] = [float(totals[key] or 0) for key, _ in STEPS] if totals else []
    return Chart(
        "funnel",
        title,
        "bar",
        [label for _, label in STEPS] if totals else [],
        [Series("providers", "providers", values)] if totals else [],
        empty=NO_EVENTS,
        x_label="step",
        extra={"rates": [as_float(totals[name]) for name in RATES] if totals else []},
    )


def _time_to_first_value(view: View) -> Chart:
    """How many orgs took how long from signup to their first successful job (signed up by the range's end)."""
    title = "Time to first value (orgs by days from signup to the first successful job)"
    if not view.scope.allows("org_metrics"):
        return Chart("time_to_first_value", title, "bar", [], [], empty=NO_ORG_ROWS, x_label="days")
    conditions, params = view.org_conditions("t.org_id", "o.current_plan")
    start = product_data_start(view.scope)
    if start is not None:
        # an org that signed up before the product data starts was already active: its time is not known
        title += f" (orgs that signed up before the data starts on {start.isoformat()} are left out)"
        conditions, params = ["cast(t.signup_at as date) >= ?", *conditions], [start, *params]
    rows = view.scope.select(
        FIRST_VALUE,
        columns="t.days_to_first_value",
        conditions=["t.days_to_first_value is not null", "cast(t.first_transcription_at as date) <= ?", *conditions],
        params=[view.filters.end, *params],
        action="dashboard.time_to_first_value",
        target="mart_analyses_time_to_first_value",
    )
    labels = [label for _, label in BUCKETS] + [f"{BUCKETS[-1][0]} days or more"]
    counts: list[float | None] = [0.0] * len(labels)
    for row in rows:
        index = bucket(float(row["days_to_first_value"]))
        counts[index] = (counts[index] or 0.0) + 1
    series = [Series("orgs", "orgs", counts)] if rows else []
    empty = "No org reached first value in this date range."
    return Chart("time_to_first_value", title, "bar", labels if rows else [], series, empty=empty, x_label="days")


def bucket(days: float) -> int:
    """The histogram bar of a time to first value (a job before the signup counts as under 1 day)."""
    for index, (limit, _) in enumerate(BUCKETS):
        if days < limit:
            return index
    return len(BUCKETS)


def _retention(view: View, entity: tuple[str, str]) -> HeatTable:
    """Weekly provider retention of the cohorts (by joining week) that start in the range."""
    assert view.filters.start is not None and view.filters.end is not None
    monday = view.filters.start - timedelta(days=view.filters.start.weekday())
    rows = view.scope.select(
        RETENTION,
        columns="cohort_week, weeks_since_join, cohort_providers, retention_rate",
        conditions=["entity_type = ?", "entity_id = ?", "cohort_week >= ?", "activity_week <= ?"],
        params=[*entity, monday, view.filters.end],
        order_by="cohort_week, weeks_since_join",
        action="dashboard.retention",
        target=f"retention:{entity[1]}",
        org_level=entity[0] == "org",
    )
    ages = sorted({int(r["weeks_since_join"]) for r in rows})
    grid: dict[date, dict[str, Any]] = {}
    for row in rows:
        week = day_of(row["cohort_week"])
        cohort = grid.setdefault(
            week, {"cohort": week.isoformat(), "cohort_providers": int(row["cohort_providers"] or 0)}
        )
        cohort[f"w{int(row['weeks_since_join'])}"] = (
            None if row["retention_rate"] is None else float(row["retention_rate"])
        )
    return HeatTable(
        "retention",
        "Provider retention by joining week (share with an app event each week after)",
        [Column("cohort", "joined week of"), Column("cohort_providers", "providers", "count")]
        + [Column(f"w{a}", f"week {a}", "ratio") for a in ages],
        [grid[w] for w in sorted(grid)],
        "No provider joined in this date range.",
        heat=[f"w{a}" for a in ages],
        peak=1.0,
    )


def _weekly(view: View, source: Source, entity: tuple[str, str], columns: str, what: str) -> list[dict[str, Any]]:
    assert view.filters.start is not None
    monday = view.filters.start - timedelta(days=view.filters.start.weekday())
    return view.scope.select(
        source,
        columns=columns,
        conditions=["entity_type = ?", "entity_id = ?", "week_start >= ?", "week_start <= ?"],
        params=[*entity, monday, view.filters.end],
        order_by="week_start",
        action=f"dashboard.{what}",
        target=f"{what}:{entity[1]}",
        org_level=entity[0] == "org",
    )


def _adoption(view: View, entity: tuple[str, str]) -> Chart:
    """Each feature's share of the week's jobs."""
    rows = _weekly(view, ADOPTION, entity, "week_start, feature, feature_job_share", "feature_adoption")
    weeks = sorted({day_of(r["week_start"]) for r in rows})
    shares: dict[str, dict[date, float | None]] = defaultdict(dict)
    for row in rows:
        share = row["feature_job_share"]
        shares[str(row["feature"])][day_of(row["week_start"])] = None if share is None else float(share)
    series = [Series(f, f, [shares[f].get(w, 0.0) for w in weeks]) for f in sorted(shares)]
    partial = partial_weeks(view, weeks)
    note = f"; the week of {partial[0]} is partial (to the last day with data)" if partial else ""
    return Chart(
        "feature_adoption",
        "Feature adoption (share of the week's jobs)" + note,
        "line",
        [w.isoformat() for w in weeks],
        series,
        unit="ratio",
        empty="No summarization jobs in this date range.",
        x_label="week",
        partial=partial,
    )


def _lifecycle(view: View, entity: tuple[str, str]) -> Chart:
    """New, returning and resurrecting providers up, dormant down, active as the line."""
    keys = (
        ("lifecycle_new_providers", "new", 1),
        ("lifecycle_returning_providers", "returning", 1),
        ("lifecycle_resurrecting_providers", "resurrecting", 1),
        ("lifecycle_dormant_providers", "dormant", -1),
    )
    names = ", ".join(k for k, _, _ in keys)
    rows = _weekly(view, LIFECYCLE, entity, f"week_start, {names}, lifecycle_active_providers", "lifecycle")
    series = [Series(k, label, [sign * float(r[k] or 0) for r in rows]) for k, label, sign in keys]
    series.append(
        Series("lifecycle_active_providers", "active", [float(r["lifecycle_active_providers"] or 0) for r in rows])
    )
    weeks = [day_of(r["week_start"]) for r in rows]
    title, partial = "Provider lifecycle by week", partial_weeks(view, weeks)
    start = product_data_start(view.scope)
    if start is not None and weeks and weeks[0] <= start:
        first = start - timedelta(days=start.weekday())
        title += (
            f"; the week of {first.isoformat()} is the first of the data: providers already active before it count "
            "as new or resurrecting there"
        )
    if partial:
        title += f"; the week of {partial[0]} is partial (to the last day with data)"
    return Chart(
        "lifecycle",
        title,
        "stacked",
        [w.isoformat() for w in weeks],
        series if rows else [],
        empty="No provider activity in this date range.",
        x_label="week",
        partial=partial,
    )


def partial_weeks(view: View, weeks: list[date]) -> list[str]:
    """The weeks (by their Monday) that end after the last day with data in the range: not complete yet."""
    through = view.filters.end
    core = view.scope.warehouse.core_schema
    if view.scope.warehouse.table_exists(core, "metrics_daily"):
        through = latest_day(view.scope, view.filters.end) or through
    if through is None:
        return []
    return [w.isoformat() for w in weeks if w <= through < w + timedelta(days=6)]


PAGE = register(Page("product", "Product", "/product", "product.html", build, order=50))
