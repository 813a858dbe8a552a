"""Metric series and period comparisons over ``metrics_daily``: the one home of every read of a metric's values,
for the CLI (``vitals metrics show``), the API, the dashboard and the digest. Reads go through a ``Reader``
(the token's ``Scope`` in the API and the dashboard, the whole warehouse elsewhere).

Aggregation of a day's values into a week (Monday start) or month, by the catalog unit:
- ``cents`` (MRR, ARR, MRR at risk, movements): the value of the period's last built day (a balance at
  the end of the period);
- every other unit (counts, ratios, percents, scores, durations): the mean of the period's daily values
  (so a week of DAD reads as the average DAD, and a rolling WAU is never summed 7 times over).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from vitals.config import Settings
from vitals.errors import BadRequest
from vitals.metrics.catalog import Metric, default_catalog
from vitals.metrics.headline import HEADLINE
from vitals.metrics.models import Point, SummaryItem, SummaryOut, clean
from vitals.metrics.reader import Reader, Source, WarehouseReader
from vitals.metrics.sources import connected_sources, is_connected
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import WarehouseError

Grain = Literal["day", "week", "month"]
METRICS_DAILY = Source("{core}.metrics_daily", "long")
PERIOD_DAYS = {"week": 7, "month": 30}


def aggregation(metric: Metric, grain: Grain) -> Literal["day", "mean", "last"]:
    """How the daily values of ``metric`` become one value per ``grain`` period."""
    if grain == "day":
        return "day"
    return "last" if metric.unit == "cents" else "mean"


def period_start(day: date, grain: Grain) -> date:
    """The first day of the period holding ``day``."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def require_grain(metric: Metric, entity_type: str) -> None:
    """``BadRequest`` unless ``metric`` has ``entity_type`` grain (global or org)."""
    if entity_type not in metric.grain:
        raise BadRequest(f"metric {metric.name} has no {entity_type} grain (it has {', '.join(metric.grain)})")


def daily_values(
    scope: Reader,
    metric: Metric,
    entity: tuple[str, str],
    start: date | None,
    end: date | None,
    *,
    action: str,
    audited: bool = True,
) -> list[tuple[date, float | None]]:
    """The metric's daily values for the entity between ``start`` and ``end`` (inclusive), oldest first;
    ``audited=False`` when the caller already audited this read of the org."""
    require_grain(metric, entity[0])
    return many_daily_values(scope, [metric], entity, start, end, action=action, audited=audited)[metric.name]


def many_daily_values(
    scope: Reader,
    metrics: list[Metric],
    entity: tuple[str, str],
    start: date | None,
    end: date | None,
    *,
    action: str,
    audited: bool = True,
) -> dict[str, list[tuple[date, float | None]]]:
    """The daily values of several metrics for the entity, in one read: metric name -> oldest first."""
    entity_type, entity_id = entity
    names = [m.name for m in metrics]
    conditions = [f"metric_name in ({', '.join('?' for _ in names)})", "entity_type = ?", "entity_id = ?"]
    params: list[Any] = [*names, entity_type, entity_id]
    if start is not None:
        conditions.append("metric_date >= ?")
        params.append(start)
    if end is not None:
        conditions.append("metric_date <= ?")
        params.append(end)
    rows = scope.select(
        METRICS_DAILY,
        columns="metric_name, metric_date, value",
        conditions=conditions,
        params=params,
        order_by="metric_name, metric_date",
        action=action,
        target=f"{','.join(names)}:{entity_id}",
        org_level=audited and entity_type == "org",
    )
    out: dict[str, list[tuple[date, float | None]]] = {name: [] for name in names}
    for r in rows:
        out[r["metric_name"]].append((_day(r["metric_date"]), clean(None if r["value"] is None else float(r["value"]))))
    return out


def entity_values(
    scope: Reader, names: Sequence[str], entity_type: str, start: date, end: date, *, action: str = "read"
) -> list[tuple[str, str, date, float]]:
    """Every (metric name, entity id, day, value) of ``names`` for every entity of ``entity_type`` (``global`` or
    ``org``) between ``start`` and ``end`` inclusive, days without a value left out: what the alert rules read."""
    rows = scope.select(
        METRICS_DAILY,
        columns="metric_name, entity_id, metric_date, value",
        conditions=[
            f"metric_name in ({', '.join('?' for _ in names)})",
            "entity_type = ?",
            "metric_date >= ?",
            "metric_date <= ?",
        ],
        params=[*names, entity_type, start, end],
        action=action,
        target=",".join(names),
        org_level=entity_type == "org",
    )
    return [
        (str(r["metric_name"]), str(r["entity_id"]), _day(r["metric_date"]), float(r["value"]))
        for r in rows
        if r["value"] is not None
    ]


def aggregate(values: list[tuple[date, float | None]], how: str, grain: Grain) -> list[Point]:
    """One point per period (periods without a value are left out)."""
    if how == "day":
        return [Point(period_start=d, value=v) for d, v in values]
    periods: dict[date, list[float]] = {}
    for day, value in values:
        bucket = periods.setdefault(period_start(day, grain), [])
        if value is not None:
            bucket.append(value)
    return [Point(period_start=p, value=_reduce(v, how)) for p, v in sorted(periods.items())]


def _reduce(values: list[float], how: str) -> float | None:
    if not values:
        return None
    return values[-1] if how == "last" else sum(values) / len(values)


def latest_day(scope: Reader, as_of: date | None) -> date | None:
    """The newest built day of ``metrics_daily`` on or before ``as_of``."""
    sql = f"select max(metric_date) from {scope.warehouse.core_schema}.metrics_daily"
    params: list[Any] = []
    if as_of is not None:
        sql += " where metric_date <= ?"
        params.append(as_of)
    value = scope.warehouse.query(sql, params or None)[0][0]
    return None if value is None else _day(value)


def summary(
    scope: Reader,
    period: Literal["week", "month"],
    org: str | None,
    as_of: date | None,
    metrics: Sequence[str] = HEADLINE,
) -> SummaryOut:
    """Each of ``metrics`` (default: the headline ones) over the trailing period (7 or 30 days ending on the
    latest built day on or before ``as_of``) against the period before; metrics without the entity's grain
    are left out."""
    entity = scope.entity(org)
    entity_type: Literal["global", "org"] = "org" if entity[0] == "org" else "global"
    end = latest_day(scope, as_of)
    catalog = default_catalog()
    start = prev_start = prev_end = None
    items: list[SummaryItem] = []
    if end is not None:
        days = PERIOD_DAYS[period]
        start, prev_end = end - timedelta(days=days - 1), end - timedelta(days=days)
        prev_start = prev_end - timedelta(days=days - 1)
        selected = [m for m in (catalog.metric(name) for name in metrics) if entity[0] in m.grain]
        all_values = many_daily_values(scope, selected, entity, prev_start, end, action="summary")
        for metric in selected:
            values, how = all_values[metric.name], aggregation(metric, period)
            current = _reduce([v for d, v in values if d >= start and v is not None], how)
            previous = _reduce([v for d, v in values if d <= prev_end and v is not None], how)
            items.append(summary_item(metric, current, previous))
    return SummaryOut(
        period=period,
        entity_type=entity_type,
        entity_id=entity[1],
        start=start,
        end=end,
        previous_start=prev_start,
        previous_end=prev_end,
        items=items,
    )


def summary_item(metric: Metric, current: float | None, previous: float | None) -> SummaryItem:
    """``metric``'s value over a period against the period before, with the change and its percent."""
    change = None if current is None or previous is None else current - previous
    percent = None if change is None or not previous else 100 * change / abs(previous)
    return SummaryItem(
        metric=metric.name,
        label=metric.label,
        unit=metric.unit,
        direction=metric.direction,
        value=current,
        previous=previous,
        change=change,
        change_percent=percent,
    )


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


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
    ``end`` inclusive (default: everything built). ``CatalogError`` for an unknown metric, ``BadRequest`` for a
    grain it does not have."""
    metric = default_catalog().metric(name)
    with open_warehouse(settings) as warehouse:
        reader = WarehouseReader(warehouse)
        entity_type, entity_id = reader.entity(org_id)
        require_grain(metric, entity_type)
        if not warehouse.table_exists(warehouse.core_schema, "metrics_daily"):
            raise WarehouseError("metrics_daily is not built yet: run `vitals build`")
        if not is_connected(metric, connected_sources(warehouse)):
            return Series(metric, entity_type, entity_id, [], source_connected=False)
        values = daily_values(reader, metric, (entity_type, entity_id), start, end, action="cli")
    return Series(metric, entity_type, entity_id, [(day, value) for day, value in values if value is not None])
