"""``support_tickets``: help-desk tickets of the orgs, more and angrier where an org is struggling.

Each org opens tickets while it is a customer in the window, about 0.6 + 0.12 per provider a month, more in
its first weeks, several times more while it declines or in the month before it churns, and twice as many
when its notes often need review, its jobs often fail or are slow. Tickets come in mostly during business
hours; the first response and the resolution take business time (nights and weekends do not count; urgent
tickets are answered around the clock), spread so that some miss ``SLA_FIRST_RESPONSE_HOURS``. A version is
sent when a ticket is created, first answered (open or pending), solved (with a 1-5 rating on part of them,
lower where the org struggles) and closed four days later. Drawn from its own random stream
(``[seed, STREAM]``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from vitals.contracts import SUPPORT_TICKETS, TICKET_PRIORITIES
from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US, US
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import Population
from vitals.generate.records import EMPTY, Rows, add_business
from vitals.generate.window import Window

STREAM = 32
"""The generator's random stream of tickets (see ``SeedSequence([seed, STREAM])``)."""
SLA_FIRST_RESPONSE_HOURS = {"low": 24.0, "normal": 8.0, "high": 4.0, "urgent": 1.0}
"""The first-response targets the spread is drawn around (business hours; urgent: clock hours)."""
_RESPONSE_MEDIAN_SHARE = 0.35
"""Median first response as a share of its target: with the spread drawn, about one in seven misses it (phone
calls are answered at once)."""
_RESOLVE_MEDIAN_HOURS = {"low": 30.0, "normal": 16.0, "high": 9.0, "urgent": 3.0}
_PRIORITY_SHARE = np.array([0.25, 0.5, 0.18, 0.07])
CHANNELS = ("email", "chat", "web", "phone")
_CHANNEL_SHARE = np.array([0.45, 0.3, 0.15, 0.1])
CATEGORIES = ("how_to", "account", "billing", "integration", "feature_request", "bug", "note_quality", "performance")
_CATEGORY_SHARE = {
    "baseline": np.array([0.3, 0.12, 0.12, 0.12, 0.1, 0.14, 0.06, 0.04]),
    "onboarding": np.array([0.45, 0.3, 0.1, 0.1, 0.02, 0.03, 0.0, 0.0]),
    "struggling": np.array([0.12, 0.06, 0.14, 0.08, 0.04, 0.26, 0.2, 0.1]),
}
_MIXES = ("baseline", "onboarding", "struggling")
"""Category mixes by the index ``_daily_counts`` gives a day."""
PROVIDER_SHARE = 0.85
"""Share of tickets sent by a provider of the org (the rest by its office, with no provider_id)."""
CSAT_RATE = 0.45
"""Share of solved tickets rated."""
CLOSE_AFTER_US = 4 * DAY_US


def troubled(pop: Population) -> np.ndarray:
    """Orgs whose product experience is poor: many notes reviewed, many failed or slow jobs."""
    o = pop.orgs
    return (o.review_rate > 0.4) | (o.failure_mult > 3.0) | (o.latency_mult > 2.0)


def strain(pop: Population, window: Window, org: int, days: np.ndarray) -> np.ndarray:
    """How many times more help the org needs than usual on each local day: while it declines, in the month
    before it churns and the two weeks after it comes back."""
    o = pop.orgs
    factor = np.ones(len(days))
    if int(o.lifecycle[org]) == v.DECLINING:
        factor[days >= window.start_local + int(o.decline_day[org] * DAY_US)] = 3.0
    churn, back = int(o.churn_us[org]), int(o.return_us[org])
    factor[(days >= churn - 30 * DAY_US) & (days < churn)] = 3.5
    factor[(days >= back) & (days < back + 14 * DAY_US)] = 2.0
    return factor


def _daily_counts(rng: np.random.Generator, pop: Population, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Tickets per org and window day, and which mix of categories each day's tickets come from
    (0 baseline, 1 onboarding, 2 struggling)."""
    o = pop.orgs
    days = window.day_starts()
    weekend = window.weekdays() >= 5
    rates = np.zeros((o.n, len(days)))
    mix = np.zeros((o.n, len(days)), dtype=np.int64)
    trouble = troubled(pop)
    for org in range(o.n):
        signup, churn, back = int(o.signup_us[org]), int(o.churn_us[org]), int(o.return_us[org])
        customer = (days + DAY_US > signup) & ((days + DAY_US <= churn) | (days >= back))
        onboarding = days < signup + 21 * DAY_US
        factor = strain(pop, window, org, days)
        providers = int(o.provider_end[org] - o.first_provider[org])
        base = (0.6 + 0.12 * providers) / 30 * np.where(weekend, 0.2, 1.3)
        rates[org] = customer * base * factor * np.where(onboarding, 2.5, 1.0) * (2.0 if trouble[org] else 1.0)
        mix[org] = np.where(onboarding, 1, np.where((factor > 1) | trouble[org], 2, 0))
    counts = rng.poisson(rates)
    if counts.sum() == 0 and rates.max() > 0:  # even a tiny world has a ticket
        counts[np.unravel_index(int(np.argmax(rates)), rates.shape)] = 1
    return counts, mix


def _created(rng: np.random.Generator, day: int, signup: int, end: int) -> int:
    """When a ticket of that day came in: mostly business hours, some early or late."""
    if rng.random() < 0.85:
        at = day + int((8 + 10 * rng.random()) * HOUR_US)
    else:
        at = day + int((6 + 17 * rng.random()) * HOUR_US)
    return min(max(at, signup + HOUR_US), end - MINUTE_US) // US * US


def _respondent(rng: np.random.Generator, pop: Population, org: int, at: int) -> int:
    """A provider of the org working at that time (-1: the office wrote, with no provider)."""
    o, p = pop.orgs, pop.providers
    lo, hi = int(o.first_provider[org]), int(o.provider_end[org])
    working = np.flatnonzero((p.join_us[lo:hi] <= at) & (p.leave_us[lo:hi] > at))
    if rng.random() >= PROVIDER_SHARE or not len(working):
        return -1
    return lo + int(working[rng.integers(0, len(working))])


def _elapsed(start: int, hours: float, priority: str) -> int:
    """``start`` plus ``hours`` of working time: business hours, or clock hours for urgent tickets."""
    duration = int(hours * HOUR_US)
    return (start + duration if priority == "urgent" else add_business(start, duration)) // US * US


def render_tickets(pop: Population, window: Window, seed: int) -> pa.Table:
    """Every version of every ticket sent up to the window's end, ordered by ``updated_at``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM]))
    o, end = pop.orgs, window.end_local
    counts, mix = _daily_counts(rng, pop, window)
    days = window.day_starts()
    rows = Rows(SUPPORT_TICKETS, times=("created_at", "first_response_at", "resolved_at", "updated_at"))
    org_ids, provider_ids = o.ids.to_pylist(), pop.providers.ids.to_pylist()
    orgs, day_index = np.nonzero(counts)
    n = int(counts.sum())
    ticket_ids = iter(hex_ids(rng, n, 12, prefix="tkt_").to_pylist())
    for org, d in zip(orgs.tolist(), day_index.tolist(), strict=True):
        hard = int(mix[org, d]) == 2
        for _ in range(int(counts[org, d])):
            created = _created(rng, int(days[d]), int(o.signup_us[org]), end)
            category = CATEGORIES[int(rng.choice(len(CATEGORIES), p=_CATEGORY_SHARE[_MIXES[int(mix[org, d])]]))]
            level = int(rng.choice(4, p=_PRIORITY_SHARE))
            if (hard or category in ("bug", "performance")) and rng.random() < 0.35:
                level = min(level + 1, 3)
            priority = TICKET_PRIORITIES[level]
            channel = CHANNELS[int(rng.choice(len(CHANNELS), p=_CHANNEL_SHARE))]
            target = SLA_FIRST_RESPONSE_HOURS[priority]
            if channel == "phone":
                responded = created + int(rng.uniform(1, 10) * MINUTE_US) // US * US
            else:
                responded = _elapsed(created, target * _RESPONSE_MEDIAN_SHARE * rng.lognormal(0.0, 1.0), priority)
            escalated = rng.random() < 0.03 * (3 if level >= 2 else 1) * (2 if hard else 1)
            slow = _RESOLVE_MEDIAN_HOURS[priority] * rng.lognormal(0.0, 0.9) * (2.5 if escalated else 1.0)
            resolved = _elapsed(responded, slow, priority)
            breached = responded - created > target * HOUR_US
            mean = (3.6 if hard else 4.6) - (0.6 if breached else 0.0) - (0.4 if escalated else 0.0)
            csat = int(np.clip(round(rng.normal(mean, 0.8)), 1, 5)) if rng.random() < CSAT_RATE else ""
            provider = _respondent(rng, pop, org, created)
            ticket = {
                "ticket_id": next(ticket_ids),
                "org_id": org_ids[org],
                "provider_id": provider_ids[provider] if provider >= 0 else "",
                "created_at": created,
                "priority": priority,
                "channel": channel,
                "category": category,
                "_ingest_source": "hubspot",
            }
            answered = "pending" if rng.random() < 0.3 else "open"
            for status, at in (
                ("new", created),
                (answered, responded),
                ("solved", resolved),
                ("closed", resolved + CLOSE_AFTER_US),
            ):
                rows.add(
                    **ticket,
                    first_response_at=responded if at >= responded else EMPTY,
                    resolved_at=resolved if at >= resolved else EMPTY,
                    status=status,
                    csat_score=csat if at >= resolved else "",
                    escalated="true" if escalated and at >= responded else "false",
                    updated_at=at,
                    _ingest_ts=at,
                )
    return rows.table(window, "updated_at", rng)
