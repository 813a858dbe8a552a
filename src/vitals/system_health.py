"""System health: one status, Healthy, Warning or Degraded, with the reasons behind it (seed 003).

What the running server knows of itself is judged against the ``[system_health]`` settings: how long each
source has gone without a new row (against its configured lag), how long ago a build last refreshed the data,
whether the last build failed or took longer than the build interval, how long accepted events have waited
to be written to the warehouse, and how many alert notifications could not be delivered. Each finding is a
``Reason``: a machine code, a level (warning or degraded) and a sentence for people. The status is the worst
level among them, Healthy without any.

``vitals.server.system_check`` gathers the facts in the server. The server registers its check here
(``register``); alert rules with ``source: system`` read the status through ``current`` as a number (0
healthy, 1 warning, 2 degraded). Outside the server nothing is registered and there is no status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from vitals.server.settings import SystemHealthSettings
    from vitals.warehouse.base import Warehouse

Status = Literal["healthy", "warning", "degraded"]
STATUSES: tuple[Status, ...] = ("healthy", "warning", "degraded")
"""In order of gravity: a status's index is its value as an alert metric."""
LABELS: dict[Status, str] = {"healthy": "Healthy", "warning": "Warning", "degraded": "Degraded"}

SOURCE_NAMES = {
    "events_big": "App events",
    "stripe_billing_big": "Stripe billing",
    "sentry_errors_big": "Sentry errors",
    "currency_rates": "Currency rates",
    "nps_responses": "NPS survey responses",
}
"""Each source by the name people know it by (a source not listed: its table name in words)."""


def source_name(table: str) -> str:
    """The name people know a source by."""
    return SOURCE_NAMES.get(table) or table.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Reason:
    """One finding: ``code`` for machines, ``message`` for people, ``subject`` the source it is about."""

    code: str
    level: Literal["warning", "degraded"]
    message: str
    subject: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"code": self.code, "level": self.level, "message": self.message, "subject": self.subject}


@dataclass(frozen=True)
class SystemHealth:
    """The status at ``checked_at`` and its reasons, the gravest first."""

    reasons: tuple[Reason, ...]
    checked_at: datetime

    @property
    def status(self) -> Status:
        """The worst level among the reasons; healthy without any."""
        return max((r.level for r in self.reasons), key=STATUSES.index, default="healthy")

    @property
    def value(self) -> int:
        """0 healthy, 1 warning, 2 degraded (what alert rules on ``system_health`` compare)."""
        return STATUSES.index(self.status)

    @property
    def label(self) -> str:
        """``Healthy``, ``Warning`` or ``Degraded``."""
        return LABELS[self.status]

    def summary(self) -> str:
        """``Degraded: <reason> <reason>``: the status and its reasons in one line."""
        return " ".join([f"{self.label}:" if self.reasons else f"{self.label}.", *(r.message for r in self.reasons)])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{status, reasons, checked_at}``."""
        return {
            "status": self.status,
            "reasons": [r.as_dict() for r in self.reasons],
            "checked_at": self.checked_at.isoformat(),
        }


@dataclass(frozen=True)
class BuildFacts:
    """The server's builds: when the data was last refreshed and how the last build went."""

    interval_seconds: float
    running_since: datetime
    """When the server started: until a build succeeds, the data is judged as refreshed then."""
    last_success_at: datetime | None = None
    last_failed_at: datetime | None = None
    """When the last build failed (None: the last build did not fail)."""
    slow_build_seconds: float | None = None
    """How long the last successful build took, when that is longer than the interval."""


@dataclass(frozen=True)
class JournalFacts:
    """Accepted event batches not written to the warehouse yet."""

    pending_batches: int = 0
    oldest_received_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryFacts:
    """Alert notifications that could not be delivered within the look-back window."""

    failed: int = 0
    last_failed_at: datetime | None = None
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything the status is judged on."""

    source_lags: Mapping[str, float | None]
    """Source (raw table) -> seconds since its newest row landed (None: no row yet)."""
    build: BuildFacts
    journal: JournalFacts
    deliveries: DeliveryFacts


def assess(facts: Facts, settings: SystemHealthSettings, now: datetime) -> SystemHealth:
    """The status and its reasons, the gravest first."""
    reasons = [
        *source_reasons(facts.source_lags, settings),
        *build_reasons(facts.build, settings, now),
        *journal_reasons(facts.journal, settings, now),
        *delivery_reasons(facts.deliveries, settings, now),
    ]
    reasons.sort(key=lambda r: -STATUSES.index(r.level))
    return SystemHealth(tuple(reasons), now)


def source_reasons(lags: Mapping[str, float | None], settings: SystemHealthSettings) -> list[Reason]:
    """A source with no new row for longer than its configured lag: Warning; for its lag times
    ``source_lag_degraded_factor``: Degraded. A source without a lag (or 0), or with no row yet, is not judged."""
    found: list[Reason] = []
    for table, lag in sorted(lags.items()):
        allowed = settings.source_lag_minutes.get(table, 0.0) * 60
        if not allowed or lag is None or lag <= allowed:
            continue
        level: Literal["warning", "degraded"] = (
            "degraded" if lag > allowed * settings.source_lag_degraded_factor else "warning"
        )
        message = f"No new data from {source_name(table)} for {spoken(lag)} (expected within {spoken(allowed)})."
        found.append(Reason("source_stale", level, message, table))
    return found


def build_reasons(build: BuildFacts, settings: SystemHealthSettings, now: datetime) -> list[Reason]:
    """The data refreshed longer ago than ``build_warning_minutes`` / ``build_degraded_minutes``; the last
    build failed; the last successful build took longer than the build interval (all Warning, but the age)."""
    found: list[Reason] = []
    every = spoken(build.interval_seconds)
    reference = build.last_success_at or build.running_since
    age = max((now - reference).total_seconds(), 0.0)
    if age > settings.build_warning_minutes * 60:
        level: Literal["warning", "degraded"] = "degraded" if age > settings.build_degraded_minutes * 60 else "warning"
        if build.last_success_at is None:
            message = f"No build has succeeded since the server started {spoken(age)} ago (builds run every {every})."
        else:
            message = f"The data was last refreshed {spoken(age)} ago (builds run every {every})."
        found.append(Reason("build_stale", level, message))
    if build.last_failed_at is not None:
        ago = spoken(max((now - build.last_failed_at).total_seconds(), 0.0))
        message = f"The last build failed {ago} ago: the data shown is from the last build that succeeded."
        found.append(Reason("build_failed", "warning", message))
    if build.slow_build_seconds is not None:
        message = (
            f"The last build took {spoken(build.slow_build_seconds)}, longer than the {every} between builds: "
            "the data is older than the schedule promises."
        )
        found.append(Reason("build_slow", "warning", message))
    return found


def journal_reasons(journal: JournalFacts, settings: SystemHealthSettings, now: datetime) -> list[Reason]:
    """Accepted events waiting longer than ``journal_warning_minutes`` / ``journal_degraded_minutes`` to be
    written to the warehouse."""
    if not journal.pending_batches or journal.oldest_received_at is None:
        return []
    waited = max((now - journal.oldest_received_at).total_seconds(), 0.0)
    if waited <= settings.journal_warning_minutes * 60:
        return []
    level: Literal["warning", "degraded"] = "degraded" if waited > settings.journal_degraded_minutes * 60 else "warning"
    batches = _count(journal.pending_batches, "batch", "batches")
    message = (
        f"Events accepted {spoken(waited)} ago are still waiting to be written to the warehouse ({batches} waiting)."
    )
    return [Reason("journal_backlog", level, message)]


def delivery_reasons(deliveries: DeliveryFacts, settings: SystemHealthSettings, now: datetime) -> list[Reason]:
    """Alert notifications that could not be delivered in the last ``delivery_failures_hours``: Warning; at
    least ``delivery_failures_degraded`` of them: Degraded."""
    if not deliveries.failed:
        return []
    level: Literal["warning", "degraded"] = (
        "degraded" if deliveries.failed >= settings.delivery_failures_degraded else "warning"
    )
    window = spoken(settings.delivery_failures_hours * 3600)
    notifications = _count(deliveries.failed, "alert notification", "alert notifications")
    verb = "was" if deliveries.failed == 1 else "were"
    routes = ", ".join(deliveries.routes)
    through = f" through the {routes} route{'s' if len(deliveries.routes) > 1 else ''}" if routes else ""
    last = ""
    if deliveries.last_failed_at is not None:
        last = f", the last {spoken(max((now - deliveries.last_failed_at).total_seconds(), 0.0))} ago"
    message = f"{notifications}{through} {verb} not delivered in the last {window}{last}."
    return [Reason("alert_delivery_failed", level, message)]


def spoken(seconds: float) -> str:
    """A duration as people say it: ``less than a minute``, ``45 minutes``, ``2 hours 5 minutes`` (hours under two
    days), ``3 days 4 hours``."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return _count(minutes, "minute", "minutes")
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return " ".join([_count(hours, "hour", "hours"), *([_count(minutes, "minute", "minutes")] if minutes else [])])
    days, hours = divmod(hours, 24)
    return " ".join([_count(days, "day", "days"), *([_count(hours, "hour", "hours")] if hours else [])])


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


Check = Callable[[datetime, "Warehouse | None"], SystemHealth]
"""The server's check: the status at a time, read through the given warehouse connection (or its own)."""

_lock = threading.Lock()
_check: Check | None = None


def register(check: Check | None) -> None:
    """Set (or, with None, clear) the running server's check."""
    global _check
    with _lock:
        _check = check


def current(at: datetime, warehouse: Warehouse | None = None) -> SystemHealth | None:
    """The status at ``at`` from the running server's check (None outside the server)."""
    with _lock:
        check = _check
    return None if check is None else check(at, warehouse)
