"""The open alerts of the executive and reliability pages: the incident banner (severity, age, scope linked,
a sentence saying what is wrong), the table of the rules firing now (for the org filter: that org's) and the
thresholds of the rules the cards are coloured by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vitals.alerts.durations import format_duration
from vitals.alerts.rules import Rule, Threshold, load_rules
from vitals.alerts.state import Acknowledgement, AlertState, AlertStore, utc
from vitals.api.scope import Source
from vitals.dashboard.datasets import Column, Table, display
from vitals.dashboard.view import View
from vitals.metrics.catalog import default_catalog
from vitals.warehouse.base import Warehouse

ALERT_STATE = Source(
    "alerts.alert_state",
    "long",
    entity_type_column="(case when scope = 'global' then 'global' else 'org' end)",
    entity_id_column="scope",
)
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
OPS = {"<": "is below", "<=": "is at or below", ">": "is above", ">=": "is at or above"}
WINDOW_WORDS = {"1h": "the last hour", "15m": "the last 15 minutes", "1d": "the last day"}


@dataclass(frozen=True)
class CardThreshold:
    """The threshold of the alert rule a card is judged by: breached -> the card is red."""

    rule: str
    label: str
    op: str
    value: float
    unit: str

    def breached(self, value: float | None) -> bool:
        if value is None:
            return False
        return {">": value > self.value, ">=": value >= self.value, "<": value < self.value}.get(
            self.op, value <= self.value
        )

    def text(self) -> str:
        """``alert below 80% (Quality pass rate hourly low)``."""
        words = OPS[self.op].removeprefix("is ")
        return f"alert {words} {display(self.unit, self.value)} ({self.label})"


def rule_label(name: str) -> str:
    """``quality_pass_rate_hourly_low`` -> ``Quality pass rate hourly low``."""
    return name.replace("_", " ").capitalize()


def _family(metric: str) -> str:
    """A metric's name without its window (``quality_pass_rate_7d`` and ``_hourly`` are one family)."""
    for suffix in ("_hourly", "_1d", "_7d", "_28d", "_30d"):
        if metric.endswith(suffix):
            return metric.removesuffix(suffix)
    return metric


def card_thresholds(view: View, metrics: list[str]) -> dict[str, CardThreshold]:
    """Per card metric: the threshold of the enabled global threshold rule on it or on its family (a rule on
    the hourly pass rate sets the line for the 7-day one), the metric's own rule first."""
    catalog = default_catalog()
    rules = [r for r in load_rules(view.settings) if r.scope == "global" and isinstance(r.condition, Threshold)]
    found: dict[str, CardThreshold] = {}
    for name in metrics:
        own = [r for r in rules if r.metric == name]
        kin = [r for r in rules if _family(r.metric) == _family(name)]
        for rule in own + kin:
            condition = rule.condition
            assert isinstance(condition, Threshold)
            unit = catalog.metric(name).unit
            found[name] = CardThreshold(rule.name, rule_label(rule.name), condition.op, condition.value, unit)
            break
    return found


def column_limit(view: View, metric: str) -> tuple[str, float] | None:
    """The threshold of the first enabled threshold rule on ``metric`` (any scope): what a table colours its
    cells by (``("<", 40.0)`` for health scores under the org health rule)."""
    for rule in load_rules(view.settings):
        if rule.metric == metric and isinstance(rule.condition, Threshold):
            return rule.condition.op, float(rule.condition.value)
    return None


def judged_day(rule: Rule, evaluated: datetime | None, tz: ZoneInfo) -> date | None:
    """The business day a daily warehouse rule judged at ``evaluated`` (naive UTC): the last complete day
    (a day is judged once it is over, so it is the day before the evaluation's, not the partial day a page
    may show)."""
    if evaluated is None or rule.realtime or rule.hourly or rule.window != timedelta(days=1):
        return None
    return evaluated.replace(tzinfo=evaluated.tzinfo or UTC).astimezone(tz).date() - timedelta(days=1)


def sentence(rule: Rule, value: float | None, day: date | None = None) -> str:
    """What is wrong, in words: ``Quality pass rate (hourly) 63.6% is below 80.0% over the last hour``;
    ``Health score 17.6 is below 40.0 on 2026-11-29`` for a daily rule (``day``: the day it judged)."""
    metric = default_catalog().metric(rule.metric)
    shown = display(metric.unit, value)
    condition = rule.condition
    if isinstance(condition, Threshold):
        limit = f"{metric.label} {shown} {OPS[condition.op]} {display(metric.unit, condition.value)}"
        if day is not None:
            return f"{limit} on {day.isoformat()}"
        window = format_duration(rule.window)
        return f"{limit} over {WINDOW_WORDS.get(window, f'the last {window}')}"
    on = f" on {day.isoformat()}" if day is not None else ""
    return f"{metric.label} is {shown}{on}: {rule.description or rule.summary_text(metric)}"


def age(since: datetime | None, at: datetime | None) -> str:
    """``for 2 h`` (as of the evaluation that saw it firing)."""
    if since is None or at is None:
        return ""
    minutes = max(0, int((at - since) / timedelta(minutes=1)))
    if minutes < 60:
        return f"for {minutes} min"
    if minutes < 48 * 60:
        return f"for {minutes // 60} h"
    return f"for {minutes // (24 * 60)} d"


def _firing(view: View) -> list[dict[str, Any]]:
    conditions, params = ["state = 'firing'"], []
    if view.filters.org:
        conditions.append("scope = ?")
        params.append(view.filters.org)
    return view.scope.select(
        ALERT_STATE,
        columns="rule_name, scope, value, reason, firing_since, last_eval_at",
        conditions=conditions,
        params=params,
        order_by="firing_since desc, rule_name, scope",
        action="dashboard.alerts",
        target="alerts",
    )


def _acknowledgements(warehouse: Warehouse, rows: list[dict[str, Any]]) -> dict[tuple[str, str], Acknowledgement]:
    """Who took each of the firing ``rows`` (by rule and scope), where someone did."""
    if not rows or not warehouse.table_exists("alerts", "acknowledgements"):
        return {}
    states = {
        (r["rule_name"], r["scope"]): AlertState(
            r["rule_name"], r["scope"], "firing", firing_since=utc(r["firing_since"])
        )
        for r in rows
    }
    return AlertStore(warehouse).acknowledgements(states)


def open_alerts(view: View) -> Table:
    """The alert rules firing now (for the org filter: that org's), most severe first, each with its label,
    severity, age, scope (an org links to its page), a sentence, who acknowledged it and, when a silence holds it,
    until when (the banner leaves silenced ones out; the table keeps them)."""
    columns = [
        Column("severity", "severity"),
        Column("rule_label", "rule"),
        Column("scope_name", "scope"),
        Column("message", "what"),
        Column("age", "since"),
        Column("firing_since", "firing since"),
        Column("acknowledged", "acknowledged"),
        Column("silenced_until", "silenced until"),
    ]
    empty = "No open alerts."
    warehouse = view.scope.warehouse
    if not warehouse.table_exists("alerts", "alert_state"):
        return Table("alerts", "Open alerts", columns, [], "No alerts evaluated yet: run `vitals alerts eval`.")
    rows = _firing(view)
    now = datetime.now(UTC)
    silences = AlertStore(warehouse).silences(now) if warehouse.table_exists("alerts", "silences") and rows else []
    acks = _acknowledgements(warehouse, rows)
    rules = {r.name: r for r in load_rules(view.settings, include_disabled=True)}
    tz = ZoneInfo(view.settings.timezone)
    names = {o["org_id"]: o["org_name"] for o in view.orgs()} if any(r["scope"] != "global" for r in rows) else {}
    for row in rows:
        rule = rules.get(row["rule_name"])
        row["rule_label"] = rule_label(row["rule_name"])
        row["severity"] = rule.severity if rule else "medium"
        day = judged_day(rule, row["last_eval_at"], tz) if rule else None
        # a system rule's reason is the system health's status and reasons, in sentences
        row["message"] = sentence(rule, row["value"], day) if rule and not rule.system else str(row["reason"] or "")
        row["age"] = age(row["firing_since"], row["last_eval_at"])
        row["scope_name"] = "company-wide" if row["scope"] == "global" else names.get(row["scope"], row["scope"])
        row["href"] = None if row["scope"] == "global" else f"/orgs/{row['scope']}"
        held = [x.ends_at for x in silences if x.matches(row["rule_name"], row["scope"], now)]
        row["silenced_until"] = max(held).strftime("%Y-%m-%d %H:%M") if held else None
        ack = acks.get((row["rule_name"], row["scope"]))
        row["acknowledged"] = f"{ack.acknowledged_by}, {ack.acknowledged_at:%Y-%m-%d %H:%M}" if ack else None
        row["firing_since"] = str(row["firing_since"])[:16] if row["firing_since"] else None
        row["last_eval_at"] = str(row["last_eval_at"])[:16] if row["last_eval_at"] else None
    rows.sort(key=lambda r: SEVERITY_ORDER.get(r["severity"], 9))
    return Table("alerts", "Open alerts", columns, rows, empty, link="scope_name")
