"""The evaluation tick: judge every rule on every scope, move each state, write notifications to the outbox,
then deliver them.

States per rule and scope: ``inactive`` -> ``pending`` (breaching, for shorter than ``for``) -> ``firing``
-> ``resolved``; ``nodata`` when there is no value to judge (never an alarm, and it neither opens nor
closes an incident; a rule whose metric needs an optional source that is not loaded, such as
``nps_responses``, is skipped). Firing notifies once, then again every ``repeat_interval`` while it lasts; resolving
notifies when the firing was notified. A silence or time outside ``active_hours`` holds firing
notifications (they go out once the hold ends, if the alert still fires); resolves are never held. An
acknowledged incident (someone took it: ``vitals.alerts.manage.acknowledge``) repeats no more; it still
notifies when it resolves, and a new incident of the same rule and scope notifies as any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from vitals.alerts.conditions import Verdict, judge
from vitals.alerts.delivery import Attempt, RetryPolicy, deliver_with_retry
from vitals.alerts.message import build_message, dedup_key
from vitals.alerts.realtime import RealtimeSource, judge_realtime, realtime_scopes
from vitals.alerts.routes.base import Route, RouteError, build_route
from vitals.alerts.rules import WEEKDAYS, Rule, Spike, load_rules
from vitals.alerts.source import WarehouseSource
from vitals.alerts.state import AlertState, AlertStore, NotificationRow, Silence
from vitals.config import Settings
from vitals.metrics.catalog import default_catalog
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

ADVISORY_LOCK = 7_341_208_519
"""PostgreSQL advisory lock key held while one evaluation runs."""


@dataclass(frozen=True)
class Step:
    """A state's next value and the notification kinds the move causes."""

    state: AlertState
    notify: tuple[str, ...] = ()
    held: bool = False


def step(
    rule: Rule, prev: AlertState, verdict: Verdict, now: datetime, *, hold: bool, acknowledged: bool = False
) -> Step:
    """Move ``prev`` by one tick's ``verdict`` at ``now``; ``hold`` is a silence or time outside active hours;
    ``acknowledged``: the open incident was acknowledged (no more repeats)."""
    s = prev.with_(value=verdict.value, reason=verdict.reason, last_eval_at=now)
    if verdict.kind == "nodata":
        return Step(s.with_(state="nodata", pending_since=None))
    if verdict.kind == "breach":
        if s.firing_since is not None:  # an open incident (firing, or firing before a gap in the data)
            s = s.with_(state="firing")
        else:
            pending_since = s.pending_since or now
            if now - pending_since < rule.for_:
                return Step(s.with_(state="pending", pending_since=pending_since))
            s = s.with_(state="firing", pending_since=pending_since, firing_since=now)
        if acknowledged:  # someone took it: no first page (if a silence held it) and no repeats
            return Step(s)
        if s.last_notified_at is None:
            kind = "firing"
        elif now - s.last_notified_at >= rule.repeat_interval:
            kind = "repeat"
        else:
            return Step(s)
        if hold:
            return Step(s, held=prev.state != "firing")
        return Step(s.with_(last_notified_at=now), (kind,))
    # ok
    if s.firing_since is not None:
        notify = ("resolved",) if s.last_notified_at is not None else ()
        return Step(s.with_(state="resolved", firing_since=None, pending_since=None, last_notified_at=None), notify)
    return Step(s.with_(state="resolved" if prev.state == "resolved" else "inactive", pending_since=None))


def in_active_hours(rule: Rule, at: datetime, tz: ZoneInfo) -> bool:
    """Whether notifications of ``rule`` may go out at ``at`` (always, without ``active_hours``)."""
    hours = rule.active_hours
    if hours is None:
        return True
    local = at.astimezone(tz)
    return WEEKDAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


@dataclass
class ScopeResult:
    """One rule and scope after a tick."""

    rule: str
    scope: str
    state: str
    value: float | None
    reason: str
    notified: tuple[str, ...]
    held: bool


@dataclass
class EvalReport:
    """What one evaluation did."""

    as_of: datetime
    results: list[ScopeResult] = field(default_factory=list)
    notifications: list[NotificationRow] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(rule, why) of the rules not judged: their metric's optional source is not connected."""

    def firing(self) -> list[ScopeResult]:
        return [r for r in self.results if r.state == "firing"]


class Deliverer:
    """Delivers outbox rows through the configured routes, recording every attempt."""

    def __init__(self, settings: Settings, store: AlertStore, sleep: Callable[[float], None] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.policy = RetryPolicy.from_settings(settings.alerts)
        self.sleep = sleep
        self.client = httpx.Client(timeout=settings.alerts.timeout_seconds, follow_redirects=False)
        self._routes: dict[str, Route] = {}

    def route(self, name: str) -> Route | None:
        if name not in self._routes:
            config = self.settings.alerts.routes.get(name)
            if config is None:
                return None
            self._routes[name] = build_route(name, config, self.settings, self.client)
        return self._routes[name]

    def deliver(self, row: NotificationRow) -> NotificationRow:
        now = datetime.now(UTC)
        try:
            route = self.route(row.route)
        except RouteError as exc:
            row.status, row.last_error, row.finished_at = "failed", str(exc), now
            self.store.finish_notification(row)
            return row
        if route is None:
            row.status, row.last_error, row.finished_at = "unrouted", f"route {row.route} is not configured", now
            self.store.finish_notification(row)
            return row

        def record(attempt: int, result: Attempt) -> None:
            outcome = "ok" if result.ok else ("retry" if result.transient else "failed")
            self.store.add_delivery(
                row.notification_id, attempt, datetime.now(UTC), row.route, result.status_code, outcome, result.error
            )

        kwargs = {"sleep": self.sleep} if self.sleep is not None else {}
        outcome = deliver_with_retry(lambda: route.send(row.payload), self.policy, record, **kwargs)
        row.status = "sent" if outcome.ok else "failed"
        row.attempts, row.last_status_code, row.last_error = outcome.attempts, outcome.status_code, outcome.error
        row.finished_at = datetime.now(UTC)
        self.store.finish_notification(row)
        return row

    def close(self) -> None:
        self.client.close()


def _scopes(rule: Rule, found: dict[str, object], known: dict[tuple[str, str], AlertState]) -> list[str]:
    if rule.scope == "global":
        return ["global"]
    stored = {scope for (name, scope) in known if name == rule.name}
    return sorted(set(found) | stored)


def missing_source(rule: Rule, connected: frozenset[str]) -> str | None:
    """The optional source the rule's metric (or volume metric) needs and that is not connected, if any."""
    if rule.realtime:  # the window is computed from the rows landed, whatever sources are connected
        return None
    catalog = default_catalog()
    names = [rule.metric] + ([rule.min_volume.metric] if rule.min_volume and not rule.hourly else [])
    for name in names:
        needed = catalog.metric(name).source
        if needed is not None and needed not in connected:
            return needed
    return None


def _realtime_verdicts(
    rule: Rule, realtime: RealtimeSource, known: dict[tuple[str, str], AlertState], now: datetime
) -> list[tuple[str, Verdict]]:
    """Each scope of a real-time rule with its verdict over the rule's window ending ``now``."""
    figures = realtime.figures(rule.window)
    stored = {scope for (name, scope) in known if name == rule.name}
    baselines = realtime.baseline(rule.window, rule.scope) if isinstance(rule.condition, Spike) else {}
    out: list[tuple[str, Verdict]] = []
    for scope in realtime_scopes(rule, figures, stored):
        prev = known.get((rule.name, scope))
        firing = prev is not None and prev.firing_since is not None
        out.append((scope, judge_realtime(rule, figures.get(scope), baselines.get(scope), now, firing=firing)))
    return out


def _verdicts(
    rule: Rule,
    source: WarehouseSource,
    realtime: RealtimeSource,
    connected: frozenset[str],
    known: dict[tuple[str, str], AlertState],
    now: datetime,
    tz: ZoneInfo,
    report: EvalReport,
) -> list[tuple[str, Verdict]]:
    """Each scope of ``rule`` with its verdict at ``now``. A rule whose metric needs an optional source that
    is not connected is skipped: nothing is judged, and scopes it already has move to ``nodata``."""
    if rule.realtime:
        return _realtime_verdicts(rule, realtime, known, now)
    missing = missing_source(rule, connected)
    if missing is not None:
        reason = f"source {missing} not connected"
        report.skipped.append((rule.name, reason))
        stored = sorted(scope for (name, scope) in known if name == rule.name)
        return [(scope, Verdict("nodata", None, reason)) for scope in stored]
    points = source.points(rule, now)
    return [(scope, judge(rule, points.get(scope, []), now, tz)) for scope in _scopes(rule, dict(points), known)]


def evaluate(
    settings: Settings,
    as_of: datetime | None = None,
    *,
    warehouse: Warehouse | None = None,
    sleep: Callable[[float], None] | None = None,
) -> EvalReport:
    """Evaluate every enabled rule at ``as_of`` (default now), persist the states and deliver what is due.

    Safe to call from a scheduler: re-running the same tick sends nothing new, and notifications left
    pending by a crash are delivered first."""
    now = (as_of or datetime.now(UTC)).astimezone(UTC)
    tz = ZoneInfo(settings.timezone)
    rules = load_rules(settings)
    wh = warehouse or open_warehouse(settings)
    serialized = wh.engine == "postgres"
    try:
        if serialized:  # a scheduler tick and a CLI run at once must not both send
            wh.execute("select pg_advisory_lock(?)", [ADVISORY_LOCK])
        store = AlertStore(wh)
        store.ensure_tables()
        deliverer = Deliverer(settings, store, sleep)
        try:
            for row in store.notifications(status="pending"):
                deliverer.deliver(row)
            realtime = RealtimeSource(wh, settings, now)
            report = _tick(settings, rules, store, WarehouseSource(wh, tz), now, tz, realtime)
            report.notifications = [deliverer.deliver(row) for row in report.notifications]
        finally:
            deliverer.close()
        return report
    finally:
        if serialized:
            wh.execute("select pg_advisory_unlock(?)", [ADVISORY_LOCK])
        if warehouse is None:
            wh.close()


def _tick(
    settings: Settings,
    rules: list[Rule],
    store: AlertStore,
    source: WarehouseSource,
    now: datetime,
    tz: ZoneInfo,
    realtime: RealtimeSource | None = None,
) -> EvalReport:
    realtime = realtime or RealtimeSource(store.wh, settings, now)
    report = EvalReport(as_of=now)
    known = store.states()
    silences: list[Silence] = store.silences(now)
    acknowledged = store.acknowledgements(known)
    changes: list[tuple[AlertState, AlertState]] = []
    outbox: list[NotificationRow] = []
    connected = source.connected_sources()
    for rule in rules:
        active = in_active_hours(rule, now, tz)
        for scope, verdict in _verdicts(rule, source, realtime, connected, known, now, tz, report):
            prev = known.get((rule.name, scope)) or AlertState(rule.name, scope)
            silenced = any(s.matches(rule.name, scope, now) for s in silences)
            moved = step(
                rule, prev, verdict, now, hold=silenced or not active, acknowledged=(rule.name, scope) in acknowledged
            )
            new = moved.state
            if new.state != prev.state:
                new = new.with_(changed_at=now)
            changes.append((prev, new))
            for kind in moved.notify:
                message = build_message(rule, new, kind, now, settings.alerts.dashboard_url)
                for route in rule.routes:
                    outbox.append(
                        NotificationRow(
                            uuid.uuid4().hex, now, rule.name, scope, dedup_key(rule.name, scope), kind, route, message
                        )
                    )
            if moved.held:
                message = build_message(rule, new, "firing", now, settings.alerts.dashboard_url)
                why = "silenced" if silenced else "outside active hours"
                for route in rule.routes:
                    outbox.append(
                        NotificationRow(
                            uuid.uuid4().hex,
                            now,
                            rule.name,
                            scope,
                            dedup_key(rule.name, scope),
                            "firing",
                            route,
                            message,
                            status="held",
                            last_error=why,
                            finished_at=now,
                        )
                    )
            report.results.append(
                ScopeResult(rule.name, scope, new.state, new.value, new.reason, moved.notify, moved.held)
            )
    store.wh.begin()
    try:
        for prev, new in changes:
            store.save_state(new)
            if new.state != prev.state:
                store.add_history(now, prev, new)
        for row in outbox:
            store.add_notification(row)
        store.wh.commit()
    except BaseException:
        store.wh.rollback()
        raise
    report.notifications = [row for row in outbox if row.status == "pending"]
    return report
