"""Time series: ``GET /metrics/{name}/series``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from vitals.api.auth import ScopeDep
from vitals.api.models import SeriesOut
from vitals.api.route_class import ApiRoute
from vitals.api.scope import BadRequest, NotFound
from vitals.metrics.catalog import CatalogError, default_catalog
from vitals.metrics.series import Grain, aggregate, aggregation, daily_values
from vitals.metrics.sources import connected_sources, source_status

router = APIRouter(route_class=ApiRoute, tags=["series"])


@router.get("/metrics/{name}/series", response_model=SeriesOut, summary="A metric's time series")
def metric_series(
    name: str,
    scope: ScopeDep,
    start: Annotated[date | None, Query(alias="from", description="First day (inclusive).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (inclusive).")] = None,
    grain: Annotated[Grain, Query(description="day, week (Monday start) or month.")] = "day",
    org: Annotated[str | None, Query(max_length=64, description="An org id; absent: the global series.")] = None,
    as_of: Annotated[date | None, Query(description="Read as of this day: nothing after it.")] = None,
) -> SeriesOut:
    """Daily values from ``metrics_daily``, or weekly/monthly ones: the last day's value for cents
    (balances such as MRR), the mean of the days for every other unit. A metric whose optional source is not
    loaded answers no points and status ``source not connected``."""
    try:
        metric = default_catalog().metric(name)
    except CatalogError as exc:
        raise NotFound(str(exc)) from None
    scope.require_domain(metric.domain)
    entity = scope.entity(org)
    if start is not None and end is not None and start > end:
        raise BadRequest("'from' is after 'to'")
    last = min(d for d in (end, as_of) if d is not None) if (end or as_of) else None
    how = aggregation(metric, grain)
    values = daily_values(scope, metric, entity, start, last, action="series")
    status = source_status(metric, connected_sources(scope.warehouse))
    return SeriesOut(
        metric=metric.name,
        entity_type=entity[0],  # type: ignore[arg-type]
        entity_id=entity[1],
        grain=grain,
        aggregation=how,
        as_of=as_of,
        points=aggregate(values, how, grain) if status == "ok" else [],
        status=status,
    )
