"""Reading metrics back from ``metrics_daily``: one metric's time series for an entity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vitals.config import Settings
from vitals.metrics.catalog import Metric, default_catalog
from vitals.metrics.sources import connected_sources, is_connected
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import WarehouseError


@dataclass(frozen=True)
class Series:
    """A metric's daily values for one entity, oldest first."""

    metric: Metric
    entity_type: str
    entity_id: str
    points: list[tuple[date, float]]
    source_connected: bool = True
    """False when the metric needs an optional source that is not loaded: it has no values (never zeros)."""


def metric_series(
    settings: Settings,
    name: str,
    *,
    org_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Series:
    """The daily values of metric ``name``: global, or of ``org_id`` when given, between ``start`` and
    ``end`` inclusive (default: everything built). ``CatalogError`` for an unknown metric or a grain it
    does not have."""
    from vitals.metrics.catalog import CatalogError

    metric = default_catalog().metric(name)
    entity_type, entity_id = ("org", org_id.strip().lower()) if org_id else ("global", "global")
    if entity_type not in metric.grain:
        raise CatalogError(f"metric {name} has no {entity_type} grain (it has {', '.join(metric.grain)})")
    sql = "select metric_date, value from metrics_daily where metric_name = ? and entity_type = ? and entity_id = ?"
    params: list[object] = [name, entity_type, entity_id]
    if start is not None:
        sql += " and metric_date >= ?"
        params.append(start)
    if end is not None:
        sql += " and metric_date <= ?"
        params.append(end)
    sql += " order by metric_date"
    with open_warehouse(settings) as warehouse:
        if not warehouse.table_exists(warehouse.core_schema, "metrics_daily"):
            raise WarehouseError("metrics_daily is not built yet: run `vitals build`")
        if not is_connected(metric, connected_sources(warehouse)):
            return Series(metric, entity_type, entity_id, [], source_connected=False)
        rows = warehouse.query(sql, params)
    return Series(metric, entity_type, entity_id, [(row[0], float(row[1])) for row in rows if row[1] is not None])
