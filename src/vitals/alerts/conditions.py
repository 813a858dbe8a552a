"""Judging one rule on one scope's series at an as-of time: breach, ok, or no data.

Pure functions over points; the engine reads the points and keeps the state. A point's time is the
*end* of its period (a day's value exists once the business day is over; an hour's once the hour is).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from vitals.alerts.durations import format_duration
from vitals.alerts.rules import WEEKDAYS, Anomaly, Change, Rule, Threshold

MAD_SCALE = 0.6745
"""Robust z = 0.6745 (x - median) / MAD: 0.6745 makes MAD comparable to a normal standard deviation."""
MEAN_AD_SCALE = 1.253314
"""When MAD is 0 the mean absolute deviation, scaled by sqrt(pi/2), stands in for it."""


@dataclass(frozen=True)
class Point:
    """A metric value whose period ended at ``end`` (UTC), with the volume behind it."""

    end: datetime
    value: float
    volume: float | None = None
    note: str = ""
    """What the value means in words (the system health's status and reasons): a threshold's verdict gives it
    as its reason."""


@dataclass(frozen=True)
class Verdict:
    """What a rule says of a scope at one tick."""

    kind: Literal["breach", "ok", "nodata"]
    value: float | None
    reason: str
    observed_at: datetime | None = None


def _compare(op: str, left: float, right: float) -> bool:
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def _reduce(how: str, values: list[float]) -> float:
    if how == "mean":
        return statistics.fmean(values)
    if how == "min":
        return min(values)
    if how == "max":
        return max(values)
    return values[-1]


def robust_z(value: float, history: list[float]) -> float:
    """How many robust deviations ``value`` is from the median of ``history`` (signed)."""
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    if mad > 0:
        return MAD_SCALE * (value - median) / mad
    mean_ad = statistics.fmean(abs(h - median) for h in history)
    if mean_ad > 0:
        return (value - median) / (MEAN_AD_SCALE * mean_ad)
    if value == median:
        return 0.0
    return float("inf") if value > median else float("-inf")


def _skipped(rule: Rule, point: Point, tz: ZoneInfo) -> bool:
    if not rule.skip_days:
        return False
    day = (point.end - timedelta(seconds=1)).astimezone(tz).weekday()
    return WEEKDAYS[day] in rule.skip_days


def judge(rule: Rule, points: list[Point], as_of: datetime, tz: ZoneInfo) -> Verdict:
    """The verdict of ``rule`` on one scope's ``points`` (any order) at ``as_of`` (aware)."""
    points = sorted((p for p in points if p.end <= as_of and not _skipped(rule, p, tz)), key=lambda p: p.end)
    current = [p for p in points if p.end > as_of - rule.window]
    if not current:
        if rule.system:
            return Verdict("nodata", None, "the system health is known to the running server only")
        return Verdict("nodata", None, f"no value in the last {format_duration(rule.window)}")
    value = _reduce(rule.reduce, [p.value for p in current])
    latest = current[-1]
    if rule.min_volume is not None:
        volume = sum(p.volume or 0.0 for p in current)
        if volume < rule.min_volume.at_least:
            return Verdict(
                "ok",
                value,
                f"{rule.min_volume.metric} {volume:g} < {rule.min_volume.at_least:g}: too little volume to judge",
                latest.end,
            )
    condition = rule.condition
    if isinstance(condition, Threshold):
        breach = _compare(condition.op, value, condition.value)
        reason = latest.note or f"{value:g} {condition.describe()}: {breach}"
        return Verdict("breach" if breach else "ok", value, reason, latest.end)
    if isinstance(condition, Change):
        return _judge_change(condition, value, latest, points)
    if not isinstance(condition, Anomaly):  # a spike is judged by real-time rules only (alerts.realtime)
        raise ValueError(f"rule {rule.name}: a {condition.type} condition needs source: realtime")
    return _judge_anomaly(condition, value, latest, points, tz)


def _judge_change(condition: Change, value: float, latest: Point, points: list[Point]) -> Verdict:
    start = latest.end - condition.baseline
    baseline = [p.value for p in points if start <= p.end < latest.end]
    if len(baseline) < condition.min_baseline_points:
        return Verdict(
            "nodata",
            value,
            f"baseline has {len(baseline)} value(s), needs {condition.min_baseline_points}",
            latest.end,
        )
    mean = statistics.fmean(baseline)
    if mean == 0:
        return Verdict("nodata", value, "baseline mean is 0: no percent change", latest.end)
    change = 100 * (value - mean) / abs(mean)
    breach = change <= -condition.percent if condition.direction == "down" else change >= condition.percent
    reason = f"{value:g} is {change:+.1f}% vs the trailing {format_duration(condition.baseline)} mean {mean:g}"
    return Verdict("breach" if breach else "ok", value, reason, latest.end)


def _judge_anomaly(condition: Anomaly, value: float, latest: Point, points: list[Point], tz: ZoneInfo) -> Verdict:
    def local(moment: datetime) -> datetime:
        return moment.astimezone(tz).replace(tzinfo=None)

    by_local_end = {local(p.end): p.value for p in points}
    anchor = local(latest.end)
    history = [
        by_local_end[anchor - timedelta(weeks=k)]
        for k in range(1, condition.weeks + 1)
        if anchor - timedelta(weeks=k) in by_local_end
    ]
    if len(history) < condition.min_history:
        return Verdict(
            "nodata",
            value,
            f"{len(history)} of the last {condition.weeks} same weekday-and-hour values, needs {condition.min_history}",
            latest.end,
        )
    z = robust_z(value, history)
    breach = {"down": z <= -condition.z, "up": z >= condition.z, "both": abs(z) >= condition.z}[condition.direction]
    reason = f"{value:g} vs median {statistics.median(history):g} of {len(history)} same-weekday values: z {z:+.1f}"
    return Verdict("breach" if breach else "ok", value, reason, latest.end)
