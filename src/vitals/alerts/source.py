"""Where rules read their values: ``metrics_daily`` (one value per business day) and
``mart_reliability_hourly`` (one per business hour), both built by ``vitals build``; and, for rules with
``source: system``, the running server's own status (one value, now)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vitals import system_health
from vitals.alerts.conditions import Point
from vitals.alerts.rules import Anomaly, Change, Rule
from vitals.metrics.catalog import default_catalog
from vitals.metrics.reader import WarehouseReader
from vitals.metrics.series import entity_values
from vitals.metrics.sources import connected_sources
from vitals.warehouse.base import Warehouse, WarehouseError


def lookback(rule: Rule) -> timedelta:
    """How far before the as-of time the rule needs values (window plus baseline or seasonal history)."""
    extra = timedelta(0)
    if isinstance(rule.condition, Change):
        extra = rule.condition.baseline
    elif isinstance(rule.condition, Anomaly):
        extra = timedelta(weeks=rule.condition.weeks)
    return rule.window + extra + timedelta(days=1)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _as_naive(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=None)


def _aware(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz)


class WarehouseSource:
    """Reads a rule's points, per scope entity, from the built warehouse."""

    def __init__(self, warehouse: Warehouse, tz: ZoneInfo) -> None:
        self.warehouse = warehouse
        self.tz = tz
        self.schema = warehouse.core_schema

    def connected_sources(self) -> frozenset[str]:
        """The optional domain sources connected as of the last build (see ``vitals.metrics.sources``)."""
        return connected_sources(self.warehouse)

    def points(self, rule: Rule, as_of: datetime) -> dict[str, list[Point]]:
        """Entity id (``global`` or an org UUID) -> its points ending at or before ``as_of``."""
        if rule.system:
            return self._system(as_of)
        if rule.hourly:
            return self._hourly(rule, as_of)
        return self._daily(rule, as_of)

    def _system(self, as_of: datetime) -> dict[str, list[Point]]:
        """The system health at ``as_of`` as one global point, its status and reasons as the point's words
        (no point outside the server: the rule has no data)."""
        health = system_health.current(as_of, self.warehouse)
        if health is None:
            return {}
        return {"global": [Point(as_of, float(health.value), note=health.summary())]}

    def _require(self, table: str) -> None:
        if not self.warehouse.table_exists(self.schema, table):
            raise WarehouseError(f"{table} is not built yet: run `vitals build` before evaluating alerts")

    def _daily(self, rule: Rule, as_of: datetime) -> dict[str, list[Point]]:
        self._require("metrics_daily")
        local_as_of = as_of.astimezone(self.tz)
        last_day = local_as_of.date()
        first_day = (local_as_of - lookback(rule)).date()
        names = [rule.metric] + ([rule.min_volume.metric] if rule.min_volume else [])
        rows = entity_values(WarehouseReader(self.warehouse), names, rule.scope, first_day, last_day, action="alerts")
        values: dict[tuple[str, date], float] = {}
        volumes: dict[tuple[str, date], float] = {}
        for name, entity, day, value in rows:
            if name == rule.metric:
                values[(entity, day)] = value
            if rule.min_volume and name == rule.min_volume.metric:
                volumes[(entity, day)] = value
        out: dict[str, list[Point]] = defaultdict(list)
        for (entity, day), value in values.items():
            end = _aware(datetime.combine(day + timedelta(days=1), time(0)), self.tz)
            if end <= as_of:
                out[entity].append(Point(end, value, volumes.get((entity, day), 0.0) if rule.min_volume else None))
        return dict(out)

    def _hourly(self, rule: Rule, as_of: datetime) -> dict[str, list[Point]]:
        self._require("mart_reliability_hourly")
        column = rule.metric
        if column not in {m.name for m in default_catalog().metrics.values() if m.model == "mart_reliability_hourly"}:
            raise WarehouseError(f"{column} is not a column of mart_reliability_hourly")
        volume = rule.min_volume.metric if rule.min_volume else None
        local_as_of = as_of.astimezone(self.tz).replace(tzinfo=None)
        first = local_as_of - lookback(rule) - timedelta(hours=1)
        rows = self.warehouse.query(
            f"select entity_id, hour_start, {column}, {volume or 'null'} from {self.schema}.mart_reliability_hourly "
            f"where entity_type = ? and hour_start >= ? and hour_start <= ?",
            [rule.scope, first, local_as_of],
        )
        out: dict[str, list[Point]] = defaultdict(list)
        for entity, hour_start, value, volume_value in rows:
            if value is None:
                continue
            end = _aware(_as_naive(hour_start) + timedelta(hours=1), self.tz)
            if end <= as_of:
                vol = None if volume is None else float(volume_value or 0)
                out[str(entity)].append(Point(end, float(value), vol))
        return dict(out)
