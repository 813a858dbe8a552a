"""The metric catalog: ``GET /metrics`` and ``GET /metrics/{name}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import MetricOut, Page
from vitals.api.route_class import ApiRoute
from vitals.api.scope import NotFound
from vitals.metrics.catalog import CatalogError, Metric, default_catalog
from vitals.metrics.sources import connected_sources, source_status

router = APIRouter(route_class=ApiRoute, tags=["catalog"])


def metric_out(metric: Metric, connected: frozenset[str]) -> MetricOut:
    """The catalog entry as served, with ``source not connected`` when its optional source is not loaded."""
    return MetricOut(**{**metric.model_dump(), "grain": list(metric.grain), "status": source_status(metric, connected)})


@router.get("/metrics", response_model=Page[MetricOut], summary="List the metric catalog")
def list_metrics(
    scope: ScopeDep,
    page: PagingDep,
    domain: Annotated[str | None, Query(max_length=64, description="Only this domain.")] = None,
    tier: Annotated[int | None, Query(ge=1, le=3, description="Only this tier (1 = headline).")] = None,
) -> Page[MetricOut]:
    """Every metric with its label, domain, grains, unit, direction, tier, definition and source model; a metric
    that needs an optional source (``source``) not loaded yet has status ``source not connected``."""
    scope.require("catalog")
    metrics = [
        m
        for group in default_catalog().by_domain().values()
        for m in group
        if (domain is None or m.domain == domain) and (tier is None or m.tier == tier)
    ]
    connected = connected_sources(scope.warehouse)
    items = [metric_out(m, connected) for m in metrics[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(metrics), limit=page.limit, offset=page.offset)


@router.get("/metrics/{name}", response_model=MetricOut, summary="One metric's definition")
def get_metric(name: str, scope: ScopeDep) -> MetricOut:
    """The catalog entry of ``name``; 404 (with close matches) when there is none."""
    scope.require("catalog")
    try:
        metric = default_catalog().metric(name)
    except CatalogError as exc:
        raise NotFound(str(exc)) from None
    return metric_out(metric, connected_sources(scope.warehouse))
