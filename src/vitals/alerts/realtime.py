"""Real-time rules (``source: realtime``): their figures over rolling windows of the recent rows, and
their verdicts with hysteresis.

Each evaluation refreshes the feed once (vitals.realtime.feed), reads it once, and computes each window
a rule asks for. A window with too little volume, or no value, gives no verdict (``nodata``): it neither
opens an incident nor closes one. Once a rule fires, it stays firing until its value is back past
``clear`` (hysteresis), so a value hovering at the threshold pages once, not on every tick.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from vitals.alerts.conditions import Verdict
from vitals.alerts.durations import format_duration
from vitals.alerts.rules import REALTIME_MAX_WINDOW, REALTIME_METRICS, Rule, Spike, Threshold
from vitals.config import Settings
from vitals.realtime.feed import ERRORS, EVENTS, Feed
from vitals.realtime.windows import Figures, Snapshot
from vitals.warehouse.base import Warehouse

log = logging.getLogger("vitals.alerts.realtime")

LAST_WEEK = timedelta(days=7)


class RealtimeSource:
    """The figures of real-time rules at one evaluation (the feed is refreshed on first use)."""

    def __init__(self, warehouse: Warehouse, settings: Settings, as_of: datetime) -> None:
        self.warehouse = warehouse
        self.settings = settings
        self.as_of = as_of
        self.tz = ZoneInfo(settings.timezone)
        self._snapshot: Snapshot | None = None
        self._windows: dict[timedelta, dict[str, Figures]] = {}
        self._baselines: dict[tuple[timedelta, str], dict[str, tuple[float, float]]] = {}

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            feed = Feed(self.warehouse, self.settings)
            report = feed.refresh(self.as_of)
            pending = (feed.pending(EVENTS, self.as_of), feed.pending(ERRORS, self.as_of))
            log.debug(
                "realtime feed: %d read, %d added, %d pruned", report.rows_read, report.rows_added, report.rows_pruned
            )
            self._snapshot = Snapshot.read(self.warehouse, self.as_of, REALTIME_MAX_WINDOW, pending)
        return self._snapshot

    def figures(self, window: timedelta) -> dict[str, Figures]:
        """Scope -> figures over (as_of - window, as_of]."""
        if window not in self._windows:
            self._windows[window] = self.snapshot().figures(window)
        return self._windows[window]

    def baseline(self, window: timedelta, scope_type: str) -> dict[str, tuple[float, float]]:
        """Entity -> (errors, attempts) in the business hours that overlap the same window one week
        earlier, from the hourly reliability mart (empty when it is not built)."""
        key = (window, scope_type)
        if key not in self._baselines:
            self._baselines[key] = self._read_baseline(window, scope_type)
        return self._baselines[key]

    def _read_baseline(self, window: timedelta, scope_type: str) -> dict[str, tuple[float, float]]:
        schema = self.warehouse.core_schema
        if not self.warehouse.table_exists(schema, "mart_reliability_hourly"):
            return {}
        end = (self.as_of - LAST_WEEK).astimezone(self.tz).replace(tzinfo=None)
        first = (self.as_of - LAST_WEEK - window).astimezone(self.tz).replace(tzinfo=None)
        first = first.replace(minute=0, second=0, microsecond=0)
        rows = self.warehouse.query(
            f"select entity_id, sum(error_events), sum(attempt_events) from {schema}.mart_reliability_hourly "
            "where entity_type = ? and hour_start >= ? and hour_start <= ? group by entity_id",
            [scope_type, first, end],
        )
        return {str(entity): (float(errors or 0), float(attempts or 0)) for entity, errors, attempts in rows}


def realtime_scopes(rule: Rule, figures: dict[str, Figures], stored: set[str]) -> list[str]:
    """``global``, or every org with figures in the window or a stored state."""
    if rule.scope == "global":
        return ["global"]
    return sorted((set(figures) - {"global"}) | stored)


def _passes(op: str, value: float, bound: float) -> bool:
    return {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound}[op]


def judge_realtime(
    rule: Rule, figures: Figures | None, baseline: tuple[float, float] | None, at: datetime, *, firing: bool
) -> Verdict:
    """The verdict of a real-time rule on one scope's window; ``firing`` switches to the ``clear`` bound."""
    window = format_duration(rule.window)
    figures = figures or Figures()
    value = figures.value(REALTIME_METRICS[rule.metric])
    if rule.min_volume is not None:
        volume = figures.value(rule.min_volume.metric) or 0.0
        if volume < rule.min_volume.at_least:
            return Verdict(
                "nodata",
                value,
                f"{rule.min_volume.metric} {volume:g} < {rule.min_volume.at_least:g} in the last {window}: "
                "too little volume to judge",
                at,
            )
    if value is None:
        return Verdict("nodata", None, f"no value in the last {window}", at)
    condition = rule.condition
    if isinstance(condition, Threshold):
        if firing and rule.clear is not None:
            breach = _passes(condition.op, value, rule.clear)
            reason = f"{value:g} over the last {window}; firing until it is back past {rule.clear:g}: {breach}"
        else:
            breach = _passes(condition.op, value, condition.value)
            reason = f"{value:g} over the last {window} {condition.describe()}: {breach}"
        return Verdict("breach" if breach else "ok", value, reason, at)
    if not isinstance(condition, Spike):
        raise ValueError(f"rule {rule.name}: a real-time rule has a threshold or spike condition")
    if baseline is None or baseline[1] < condition.min_baseline_attempts:
        attempts = 0.0 if baseline is None else baseline[1]
        return Verdict("nodata", value, f"the same hour last week has {attempts:g} attempts: no baseline", at)
    base = 100.0 * baseline[0] / baseline[1]
    factor = rule.clear if firing and rule.clear is not None else condition.factor
    breach = value >= factor * base and value - base >= condition.min_increase
    reason = f"{value:g} over the last {window} vs {base:g} the same hour last week (x{factor:g} pages)"
    return Verdict("breach" if breach else "ok", value, reason, at)
