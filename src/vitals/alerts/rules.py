"""Alert rules: typed models, the YAML files they come from, and validation against the metric catalog.

A rules file is ``{rules: [ ... ]}``. Rules are read from the defaults shipped with vitals
(``default_rules.yml``) and then from the user's file (``alerts.rules_file``); a user rule with the name of
a default rule replaces it, and ``enabled: false`` switches a rule off. Every problem is reported with the
file, the rule's name and the field.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from vitals.alerts.durations import format_duration, parse_duration
from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.metrics.catalog import SERVICE_METRICS, Catalog, Metric, default_catalog

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "default_rules.yml"

HOURLY_MODEL = "mart_reliability_hourly"
"""The one mart besides ``metrics_daily`` that rules read: reliability per business hour."""
HOURLY_VOLUME_COLUMNS = ("attempt_events", "error_events", "successful_jobs", "quality_passed_jobs")
"""Columns of the hourly mart a rule on an hourly metric can use as its volume."""
REALTIME_METRICS = {
    "quality_pass_rate_hourly": "quality_pass_rate",
    "duration_ms_p50": "duration_ms_p50",
    "summarize_ms_p50": "summarize_ms_p50",
    "error_rate_per_100_attempts_hourly": "error_rate_per_100_attempts",
}
"""Catalog metric -> the figure a real-time rule (``source: realtime``) computes for it over its window."""
REALTIME_VOLUMES = ("successful_jobs", "quality_passed_jobs", "summarize_timed_jobs", "attempt_events", "error_events")
"""Counts of the window a real-time rule can use as its volume."""
REALTIME_MAX_WINDOW = timedelta(hours=2)
"""The longest window of a real-time rule (the feed keeps a few hours of rows)."""

Severity = Literal["critical", "high", "medium", "low"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RulesError(VitalsError):
    """A rules file is invalid: the message names the file, the rule and the field."""


def _duration(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float) and value == 0:
        return timedelta(0)
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """Breach when the value compares to a fixed number: ``value < 0.8``."""

    type: Literal["threshold"]
    op: Literal[">", ">=", "<", "<="]
    value: float

    def describe(self) -> str:
        return f"{self.op} {self.value:g}"


class Change(_Model):
    """Breach when the value moved by at least ``percent`` % vs the mean of a trailing baseline."""

    type: Literal["change"]
    direction: Literal["down", "up"]
    percent: float = Field(gt=0)
    baseline: Duration = Field(default=timedelta(days=7), description="Trailing period before the current value.")
    min_baseline_points: int = Field(default=3, ge=1)

    def describe(self) -> str:
        return f"{self.direction} {self.percent:g}% or more vs the trailing {format_duration(self.baseline)} mean"


class Anomaly(_Model):
    """Breach when the value is far from the same weekday and hour of the last ``weeks`` weeks
    (robust z-score: 0.6745 x (value - median) / MAD)."""

    type: Literal["anomaly"]
    direction: Literal["down", "up", "both"]
    weeks: int = Field(default=4, ge=2, le=52)
    z: float = Field(default=3.5, gt=0)
    min_history: int = Field(default=3, ge=2)

    @model_validator(mode="after")
    def _history_fits(self) -> Anomaly:
        if self.min_history > self.weeks:
            raise ValueError(f"min_history ({self.min_history}) cannot exceed weeks ({self.weeks})")
        return self

    def describe(self) -> str:
        side = {"down": "below", "up": "above", "both": "away from"}[self.direction]
        return f"robust z {self.z:g} {side} the same weekday and hour of the last {self.weeks} weeks"


class Spike(_Model):
    """Breach when the window's value is at least ``factor`` times the same window one week earlier (read
    from the hourly reliability mart) and at least ``min_increase`` above it. Real-time rules only."""

    type: Literal["spike"]
    factor: float = Field(gt=1)
    min_increase: float = Field(default=0.0, ge=0)
    min_baseline_attempts: int = Field(default=20, ge=1)
    """Attempts the hour of last week must have for its rate to be a baseline (else no verdict)."""

    def describe(self) -> str:
        more = f" and {self.min_increase:g} above it" if self.min_increase else ""
        return f"{self.factor:g}x the same hour last week or more{more}"


Condition = Annotated[Threshold | Change | Anomaly | Spike, Field(discriminator="type")]


class MinVolume(_Model):
    """No verdict on a tiny denominator: the volume metric, summed over the window, must reach ``at_least``."""

    metric: str
    at_least: float = Field(gt=0)


class ActiveHours(_Model):
    """When notifications may go out (business time zone); outside them firing is held, not lost."""

    days: tuple[Weekday, ...] = WEEKDAYS
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    @model_validator(mode="after")
    def _ordered(self) -> ActiveHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Rule(_Model):
    """One alert rule."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    enabled: bool = True
    metric: str
    scope: Literal["global", "org"] = "global"
    condition: Condition
    window: Duration = Field(default=timedelta(days=1))
    for_: Duration = Field(default=timedelta(0), alias="for")
    reduce: Literal["last", "mean", "min", "max"] = "last"
    min_volume: MinVolume | None = None
    severity: Severity = "medium"
    routes: tuple[str, ...] = Field(min_length=1)
    repeat_interval: Duration = Field(default=timedelta(hours=4))
    active_hours: ActiveHours | None = None
    skip_days: tuple[Weekday, ...] = ()
    """Values of these business weekdays are neither judged nor part of a baseline (e.g. weekends)."""
    source: Literal["warehouse", "realtime", "system"] = "warehouse"
    """``warehouse``: the built metrics (``metrics_daily``, ``mart_reliability_hourly``); ``realtime``: a
    rolling window of the rows landed recently, judged every tick (vitals.realtime); ``system``: the running
    server's own status (``system_health``: 0 healthy, 1 warning, 2 degraded; vitals.system_health), judged
    every tick as it is then (``window`` is not used)."""
    clear: float | None = None
    """Hysteresis of a real-time rule: once firing, it resolves only when the value is back past ``clear``
    (a threshold on the good side of the condition's, or a spike factor below the condition's)."""

    @field_validator("window", "repeat_interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than 0")
        return value

    @field_validator("for_")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("cannot be negative")
        return value

    @property
    def hourly(self) -> bool:
        """Whether the metric is read from the hourly reliability mart."""
        return default_catalog().metric(self.metric).model == HOURLY_MODEL

    @property
    def realtime(self) -> bool:
        """Whether the rule judges a rolling window of recent rows (not the built metrics)."""
        return self.source == "realtime"

    @property
    def system(self) -> bool:
        """Whether the rule judges the running server's own status (not the built metrics)."""
        return self.source == "system"

    def summary_text(self, metric: Metric) -> str:
        """``Quality pass rate (hourly) < 0.8``: what the rule watches, in words."""
        over = f" over the last {format_duration(self.window)}" if self.realtime else ""
        return f"{metric.label} {self.condition.describe()}{over}"


class RulesFile(_Model):
    """The top level of a rules file."""

    rules: list[dict[str, object]] = Field(default_factory=list)


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in ("threshold", "change", "anomaly"))]
    return ".".join(parts) or "(rule)"


def _validate_rule(entry: dict[str, object], path: Path, index: int, catalog: Catalog) -> Rule:
    label = entry.get("name", f"#{index + 1}")
    where = f"{path}: rule {label}"
    try:
        rule = Rule.model_validate(entry)
    except ValidationError as exc:
        problems = "; ".join(f"{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise RulesError(f"{where}: {problems}") from None
    if rule.system:
        _validate_system(rule, where)
        return rule
    if rule.metric not in catalog.metrics:
        raise RulesError(f"{where}: metric: {catalog_hint(catalog, rule.metric)}")
    if rule.realtime:
        _validate_realtime(rule, where)
        return rule
    if isinstance(rule.condition, Spike) or rule.clear is not None:
        raise RulesError(f"{where}: a spike condition and clear are for real-time rules (source: realtime)")
    metric = catalog.metrics[rule.metric]
    if metric.model != HOURLY_MODEL and not metric.model.startswith("metrics_daily"):
        raise RulesError(
            f"{where}: metric: {rule.metric} is computed in {metric.model}, which is not in metrics_daily; "
            f"rules read metrics_daily and {HOURLY_MODEL}"
        )
    if rule.scope not in metric.grain:
        raise RulesError(f"{where}: scope: {rule.metric} has no {rule.scope} grain (it has {', '.join(metric.grain)})")
    if rule.min_volume is not None:
        volume = rule.min_volume.metric
        if metric.model == HOURLY_MODEL:
            if volume not in HOURLY_VOLUME_COLUMNS:
                raise RulesError(
                    f"{where}: min_volume.metric: an hourly rule counts one of {', '.join(HOURLY_VOLUME_COLUMNS)}"
                )
        elif volume not in catalog.metrics or catalog.metrics[volume].model == HOURLY_MODEL:
            raise RulesError(f"{where}: min_volume.metric: {catalog_hint(catalog, volume)}")
        elif rule.scope not in catalog.metrics[volume].grain:
            raise RulesError(f"{where}: min_volume.metric: {volume} has no {rule.scope} grain")
    return rule


def _validate_realtime(rule: Rule, where: str) -> None:
    """A real-time rule: a metric the window computes, a threshold or spike, a volume count of the window,
    a window the feed covers and a ``clear`` value on the good side."""
    if rule.metric not in REALTIME_METRICS:
        raise RulesError(f"{where}: metric: a real-time rule watches one of {', '.join(REALTIME_METRICS)}")
    condition = rule.condition
    if not isinstance(condition, Threshold | Spike):
        raise RulesError(f"{where}: condition: a real-time rule has a threshold or spike condition")
    if rule.window > REALTIME_MAX_WINDOW:
        raise RulesError(f"{where}: window: a real-time window is at most {format_duration(REALTIME_MAX_WINDOW)}")
    if rule.min_volume is not None and rule.min_volume.metric not in REALTIME_VOLUMES:
        raise RulesError(f"{where}: min_volume.metric: a real-time rule counts one of {', '.join(REALTIME_VOLUMES)}")
    if rule.clear is None:
        return
    if isinstance(condition, Spike):
        if not 0 < rule.clear <= condition.factor:
            raise RulesError(f"{where}: clear: a spike clears at a factor above 0 and at most {condition.factor:g}")
    elif condition.op in ("<", "<=") and rule.clear < condition.value:
        raise RulesError(f"{where}: clear: must be at least the threshold {condition.value:g}")
    elif condition.op in (">", ">=") and rule.clear > condition.value:
        raise RulesError(f"{where}: clear: must be at most the threshold {condition.value:g}")


def _validate_system(rule: Rule, where: str) -> None:
    """A rule on the server's own status: a service metric, global, a threshold, nothing about volumes or days."""
    if rule.metric not in SERVICE_METRICS:
        raise RulesError(f"{where}: metric: a system rule watches one of {', '.join(SERVICE_METRICS)}")
    if rule.scope != "global":
        raise RulesError(f"{where}: scope: a system rule is global")
    if not isinstance(rule.condition, Threshold):
        raise RulesError(f"{where}: condition: a system rule has a threshold condition")
    extras = [
        name
        for name, given in (("min_volume", rule.min_volume), ("skip_days", rule.skip_days), ("clear", rule.clear))
        if given not in (None, ())
    ]
    if extras:
        raise RulesError(f"{where}: {extras[0]}: not used by a system rule (source: system)")


def catalog_hint(catalog: Catalog, name: str) -> str:
    """``no metric named 'x'; did you mean ...`` from the catalog."""
    if name in SERVICE_METRICS:
        return f"{name} is the running server's own status: a rule watches it with source: system"
    try:
        catalog.metric(name)
    except VitalsError as exc:
        return str(exc)
    return f"{name} is not a daily metric"


def read_rules_file(path: Path, catalog: Catalog | None = None) -> list[Rule]:
    """The rules of one YAML file, validated; ``RulesError`` names the file, rule and field."""
    catalog = catalog or default_catalog()
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    try:
        top = RulesFile.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"{path}: the file must be a mapping with a list 'rules' ({exc.errors()[0]['msg']})") from None
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(top.rules):
        if not isinstance(entry, dict):
            raise RulesError(f"{path}: rule #{index + 1}: must be a mapping")
        rule = _validate_rule(entry, path, index, catalog)
        if rule.name in seen:
            raise RulesError(f"{path}: rule {rule.name}: name: defined twice in this file")
        seen.add(rule.name)
        rules.append(rule)
    return rules


def load_rules(settings: Settings, *, include_disabled: bool = False) -> list[Rule]:
    """The rules in force: the defaults (unless switched off), then the user's file, which overrides by name."""
    by_name: dict[str, Rule] = {}
    if settings.alerts.default_rules:
        by_name.update((r.name, r) for r in read_rules_file(DEFAULT_RULES_FILE))
    if settings.alerts.rules_file:
        by_name.update((r.name, r) for r in read_rules_file(Path(settings.alerts.rules_file)))
    rules = list(by_name.values())
    return rules if include_disabled else [r for r in rules if r.enabled]
