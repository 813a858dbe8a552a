"""Reliability: errors per 100 attempts, turnaround and summarization p50/p95 against their SLOs (the
thresholds of the configured alert rules; a p95 above the median's SLO is shown breached, never met), the
quality pass rate by hour, and the alerts firing now as the incident banner at the top."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from vitals.alerts.rules import Threshold, load_rules
from vitals.api.scope import Source
from vitals.config import Settings
from vitals.dashboard.datasets import Chart, Series, display
from vitals.dashboard.pages.alerts_table import open_alerts, rule_label
from vitals.dashboard.pages.queries import metric_chart, with_previous_period
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.catalog import default_catalog
from vitals.metrics.series import daily_values

HOURLY = Source("{core}.mart_reliability_hourly", "long")
CARDS = (
    "error_rate_per_100_attempts",
    "duration_ms_p50",
    "duration_ms_p95",
    "summarize_ms_p50",
    "summarize_ms_p95",
    "quality_pass_rate_1d",
)
SLO_METRICS = {"turnaround": "duration_ms_p50", "summarization": "summarize_ms_p50"}
"""The SLO of each latency is the threshold of the alert rule on its median."""
HOURLY_DAYS = 7
NO_JOBS = "No jobs in this range: load product events (`vitals load` or the server's ingest) and run `vitals build`."


def slo_thresholds(settings: Settings) -> dict[str, tuple[str, float]]:
    """Per latency (``turnaround``, ``summarization``): the enabled global threshold rule on its daily metric
    (the cards are daily medians; real-time rules judge rolling windows), as (rule name, threshold in ms)."""
    found: dict[str, tuple[str, float]] = {}
    for rule in load_rules(settings):
        for key, metric in SLO_METRICS.items():
            daily = not rule.realtime and rule.scope == "global"
            if rule.metric == metric and daily and isinstance(rule.condition, Threshold):
                found.setdefault(key, (rule.name, rule.condition.value))
    return found


def build(view: View) -> Content:
    """The page for the view's date range and org."""
    org = view.filters.org
    slos = slo_thresholds(view.settings)
    cards = _cards(view, slos)
    turnaround = _latency(view, "turnaround", "Turnaround (submit to completed)", slos, org)
    summarization = _latency(view, "summarization", "Summarization time", slos, org)
    errors = metric_chart(
        view,
        "errors",
        "Errors per 100 attempts, with the period of the same length before it",
        ["error_rate_per_100_attempts"],
        org=org,
        empty=NO_JOBS,
    )
    errors = with_previous_period(view, errors, "error_rate_per_100_attempts", org=org)
    hourly = _hourly(view)
    if view.filters.plan:
        view.notices.append("Reliability is company-wide or per org: the plan filter does not apply here.")
    missing = [k for k in SLO_METRICS if k not in slos]
    if missing:
        view.notices.append(
            f"No alert rule sets a {' or '.join(missing)} SLO (a global threshold rule on "
            f"{', '.join(SLO_METRICS[k] for k in missing)}): see docs/alerts.md."
        )
    alerts = open_alerts(view)
    context = {"cards": cards, "slos": slos, "alerts": alerts}
    return Content(context, [turnaround, summarization, errors, hourly, alerts])


def _cards(view: View, slos: dict[str, tuple[str, float]]) -> list[dict[str, Any]]:
    """The latest value of each reliability metric in the range, with its SLO where it has one."""
    catalog = default_catalog()
    entity = view.scope.entity(view.filters.org)
    slo_of = {metric: slos.get(key) for key, metric in SLO_METRICS.items()}
    p95_of = {metric.replace("_p50", "_p95"): slos.get(key) for key, metric in SLO_METRICS.items()}
    cards = []
    for name in CARDS:
        metric = catalog.metric(name)
        values = daily_values(view.scope, metric, entity, view.filters.start, view.filters.end, action="dashboard")
        known = [(day, value) for day, value in values if value is not None]
        day, value = known[-1] if known else (None, None)
        slo = slo_of.get(name)
        card: dict[str, Any] = {
            "metric": name,
            "label": metric.label,
            "value": value,
            "day": day,
            "text": display(metric.unit, value),
            "minutes": f"{value / 60_000:.1f} min" if metric.unit == "milliseconds" and value is not None else "",
            "slo": None,
            "slo_text": "",
            "breached": False,
        }
        if slo is not None:
            card["slo"] = slo[1]
            card["slo_text"] = f"SLO {_minutes(slo[1])} ({rule_label(slo[0])})"
            card["breached"] = value is not None and value > slo[1]
        elif p95_of.get(name) is not None:
            # the SLO is on the median: the p95 is shown against it, never as met while above it
            limit = p95_of[name]
            assert limit is not None
            card["slo"] = limit[1]
            card["breached"] = value is not None and value > limit[1]
            side = "above" if card["breached"] else "within"
            card["slo_text"] = f"{side} the median's SLO of {_minutes(limit[1])}"
        cards.append(card)
    return cards


def _latency(view: View, key: str, title: str, slos: dict[str, tuple[str, float]], org: str | None) -> Chart:
    """p50 and p95 per day, with the SLO as a flat line."""
    prefix = SLO_METRICS[key].removesuffix("_p50")
    chart = metric_chart(view, key, title, [f"{prefix}_p50", f"{prefix}_p95"], org=org, empty=NO_JOBS)
    if key in slos and chart.labels:
        name, value = slos[key]
        chart.series.append(Series("slo_ms", f"SLO ({rule_label(name)})", [value] * len(chart.labels)))
    return chart


def _hourly(view: View) -> Chart:
    """Quality pass rate and errors per 100 attempts per business hour over the last days of the range."""
    assert view.filters.end is not None
    entity_type, entity_id = view.scope.entity(view.filters.org)
    first = view.filters.end - timedelta(days=HOURLY_DAYS - 1)
    if view.filters.start is not None:
        first = max(first, view.filters.start)
    rows = view.scope.select(
        HOURLY,
        columns="hour_start, quality_pass_rate_hourly, successful_jobs",
        conditions=["entity_type = ?", "entity_id = ?", "metric_date >= ?", "metric_date <= ?"],
        params=[entity_type, entity_id, first, view.filters.end],
        order_by="hour_start",
        action="dashboard.reliability_hourly",
        target=f"mart_reliability_hourly:{entity_id}",
        org_level=entity_type == "org",
    )
    labels = [str(r["hour_start"])[:16] for r in rows]
    rates = [None if r["quality_pass_rate_hourly"] is None else float(r["quality_pass_rate_hourly"]) for r in rows]
    return Chart(
        "quality_hourly",
        f"Quality pass rate by hour (last {HOURLY_DAYS} days of the range)",
        "line",
        labels,
        [Series("quality_pass_rate_hourly", "Quality pass rate", rates)],
        unit="ratio",
        empty=NO_JOBS,
        x_label="hour",
    )


def _minutes(ms: float) -> str:
    minutes = ms / 60_000
    return f"{minutes:g} min" if minutes >= 1 else f"{ms / 1000:g} s"


PAGE = register(Page("reliability", "Reliability", "/reliability", "reliability.html", build, order=60))
