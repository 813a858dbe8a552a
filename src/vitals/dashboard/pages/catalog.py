"""Catalog: every metric with its definition, unit, grains and owner model (the API's ``/metrics``), filtered
as you type; each links to its series (``/catalog/{metric}``)."""

from __future__ import annotations

from vitals.api.scope import BadRequest
from vitals.dashboard.datasets import Column, Dataset, Table
from vitals.dashboard.pages.queries import metric_chart, with_previous_period
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.catalog import Metric, default_catalog

HOURLY_MODELS = {"mart_reliability_hourly": "/reliability"}
"""Metrics kept per hour (not in metrics_daily): their series is on this page."""


def metrics() -> list[Metric]:
    """The catalog in the API's order (by domain)."""
    return [m for group in default_catalog().by_domain().values() for m in group]


def build(view: View) -> Content:
    """The catalog table."""
    view.scope.require("catalog")
    columns = [
        Column("name", "metric"),
        Column("label", "label"),
        Column("domain", "domain"),
        Column("unit", "unit"),
        Column("grain", "grain"),
        Column("tier", "tier"),
        Column("definition", "definition"),
        Column("model", "owner model"),
    ]
    rows = [{**m.model_dump(), "grain": ", ".join(m.grain), "href": view.link(f"/catalog/{m.name}")} for m in metrics()]
    table = Table("metrics", "Metrics", columns, rows, "The catalog is empty.", link="name")
    return Content({"metrics": table}, [table])


def build_metric(view: View) -> Content:
    """One metric's definition and its daily series over the range (global, or the org filter's org)."""
    view.scope.require("catalog")
    metric = default_catalog().metric(view.params["metric"])
    view.scope.require_domain(metric.domain)
    org = view.filters.org
    entity = "org" if org or view.scope.org_id else "global"
    chart = None
    note = ""
    if metric.model in HOURLY_MODELS:
        note = f"An hourly metric: its series is on the {HOURLY_MODELS[metric.model].strip('/')} page."
    elif entity not in metric.grain:
        note = f"{metric.label} has no {entity} grain (it has {', '.join(metric.grain)}): pick another org filter."
    else:
        try:
            chart = metric_chart(view, "series", metric.label, [metric.name], org=org)
            chart = with_previous_period(view, chart, metric.name, org=org)
        except BadRequest as exc:
            note = str(exc)
    datasets: list[Dataset] = [chart] if chart is not None else []
    return Content({"metric": metric, "note": note, "hourly": HOURLY_MODELS.get(metric.model)}, datasets)


PAGE = register(Page("catalog", "Catalog", "/catalog", "catalog.html", build, order=80, requires="catalog"))
METRIC_PAGE = register(
    Page("catalog-metric", "Metric", "/catalog/{metric}", "catalog_metric.html", build_metric, requires="catalog")
)
