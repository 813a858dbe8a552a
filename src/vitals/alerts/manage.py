"""What the CLI and the API do besides evaluating: silence a rule, acknowledge an incident, list rules with
their states, read history."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vitals.alerts.durations import format_duration
from vitals.alerts.message import build_message, dedup_key
from vitals.alerts.rules import RulesError, load_rules
from vitals.alerts.state import SCHEMA, Acknowledgement, AlertState, AlertStore, NotificationRow, Silence
from vitals.config import Settings
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse
from vitals.warehouse.once import ensure_once


@contextmanager
def alert_store(settings: Settings, warehouse: Warehouse | None = None) -> Iterator[AlertStore]:
    """The alert store over ``warehouse`` (left open; its tables made once per process), or over a
    connection opened and closed here."""
    if warehouse is not None:
        store = AlertStore(warehouse)
        ensure_once(warehouse, f"{SCHEMA}.deliveries", store.ensure_tables)
        yield store
        return
    with open_warehouse(settings) as wh:
        store = AlertStore(wh)
        store.ensure_tables()
        yield store


def silence(
    settings: Settings,
    rule_name: str,
    *,
    org: str | None,
    duration: timedelta,
    comment: str,
    starts_at: datetime | None = None,
    created_by: str | None = None,
    warehouse: Warehouse | None = None,
) -> Silence:
    """Hold the firing notifications of ``rule_name`` (one org's, or every scope's) for ``duration``."""
    names = {r.name for r in load_rules(settings, include_disabled=True)}
    if rule_name not in names:
        raise RulesError(f"no rule named {rule_name!r}; rules: {', '.join(sorted(names))}")
    if duration <= timedelta(0):
        raise RulesError("a silence must last longer than 0")
    start = (starts_at or datetime.now(UTC)).astimezone(UTC)
    scope = org.strip().lower() if org else None
    with alert_store(settings, warehouse) as store:
        return store.add_silence(rule_name, scope, start, start + duration, comment, created_by or _user())


def end_silence(
    settings: Settings, silence_id: str, *, at: datetime | None = None, warehouse: Warehouse | None = None
) -> Silence:
    """End a silence now (or at ``at``): held notifications go out again from the next evaluation."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    with alert_store(settings, warehouse) as store:
        found = store.get_silence(silence_id)
        if found is None or found.ends_at <= moment:
            why = "no silence" if found is None else "no silence in force or to come"
            raise RulesError(f"{why} with id {silence_id!r}; `vitals alerts history` lists them")
        store.end_silence(silence_id, moment)
        ended = store.get_silence(silence_id)
    assert ended is not None
    return ended


class NotFiring(RulesError):
    """The rule is not firing for that scope: there is no incident to acknowledge."""


def acknowledge(
    settings: Settings,
    rule_name: str,
    *,
    scope: str,
    comment: str,
    by: str | None = None,
    at: datetime | None = None,
    warehouse: Warehouse | None = None,
) -> Acknowledgement:
    """Take the open incident of ``rule_name`` for ``scope`` (``global`` or an org id): it repeats no more until
    it resolves, and every route of the rule that was told of it is told who took it (PagerDuty's
    ``acknowledge``), from the outbox like any notification. Acknowledging an incident twice keeps the first."""
    rules = {r.name: r for r in load_rules(settings, include_disabled=True)}
    rule = rules.get(rule_name)
    if rule is None:
        raise RulesError(f"no rule named {rule_name!r}; rules: {', '.join(sorted(rules))}")
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    key = scope.strip().lower() or "global"
    with alert_store(settings, warehouse) as store:
        state = store.states(rule_name).get((rule_name, key))
        if state is None or state.state != "firing" or state.firing_since is None:
            where = "all orgs" if key == "global" else f"org {key}"
            now_in = state.state if state else "never evaluated"
            raise NotFiring(f"{rule_name} is not firing for {where} (it is {now_in}): nothing to acknowledge")
        found = store.acknowledgements({(rule_name, key): state}).get((rule_name, key))
        if found is not None:
            return found
        ack = Acknowledgement(rule_name, key, state.firing_since, moment, by or _user(), comment)
        message = {
            **build_message(rule, state, "acknowledged", moment, settings.alerts.dashboard_url, by=ack.acknowledged_by),
            "comment": comment,
        }
        store.wh.begin()
        try:
            store.add_acknowledgement(ack)
            if state.last_notified_at is not None:  # only the routes that paged someone hear who took it
                for route in rule.routes:
                    store.add_notification(
                        NotificationRow(
                            uuid.uuid4().hex,
                            moment,
                            rule_name,
                            key,
                            dedup_key(rule_name, key),
                            "acknowledged",
                            route,
                            message,
                        )
                    )
            store.wh.commit()
        except BaseException:
            store.wh.rollback()
            raise
    return ack


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class RuleStatus:
    """A rule with the states of its scopes."""

    name: str
    metric: str
    scope: str
    condition: str
    window: str
    for_: str
    severity: str
    routes: str
    enabled: bool
    states: list[AlertState]


def rule_statuses(settings: Settings) -> list[RuleStatus]:
    """Every rule (disabled ones too) and where each of its scopes stands."""
    rules = load_rules(settings, include_disabled=True)
    with alert_store(settings) as store:
        states = store.states()
    return [
        RuleStatus(
            r.name,
            r.metric,
            r.scope,
            r.condition.describe(),
            format_duration(r.window),
            format_duration(r.for_),
            r.severity,
            ",".join(r.routes),
            r.enabled,
            sorted((s for (name, _), s in states.items() if name == r.name), key=lambda s: s.scope),
        )
        for r in rules
    ]


def history(
    settings: Settings, *, rule_name: str | None = None, since: datetime | None = None, limit: int = 200
) -> tuple[list[dict[str, Any]], list[NotificationRow], list[Silence]]:
    """State changes (newest first), notifications since ``since`` and every silence."""
    with alert_store(settings) as store:
        return (
            store.history(rule_name=rule_name, since=since, limit=limit),
            store.notifications(rule_name=rule_name, since=since),
            [s for s in store.silences() if rule_name in (None, s.rule_name)],
        )
