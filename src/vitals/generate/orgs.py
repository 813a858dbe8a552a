"""The population: orgs (plans, lifecycles, traits) and their providers (roles, join and leave times)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US
from vitals.generate.ids import uuid4s, uuids_from_nibbles
from vitals.generate.window import HISTORY_DAYS, Window

NEVER = np.iinfo(np.int64).max // 4
"""A time that never comes (no churn, no return, no leaving)."""

_LIFECYCLE_SHARE_OLD = np.array([0.27, 0.40, 0.15, 0.12, 0.06])
_LIFECYCLE_SHARE_NEW = np.array([0.57, 0.37, 0.03, 0.03, 0.0])
_INITIAL_SHARE = np.array([0.5, 0.85, 0.95, 0.95, 0.9])
"""Per lifecycle: share of providers who join within days of the signup (the rest join over time)."""


@dataclass(frozen=True)
class Orgs:
    """One entry per org; times are local wall-clock microseconds (see ``clock``)."""

    ids: pa.Array
    names: list[str]
    plan: np.ndarray
    annual: np.ndarray
    lifecycle: np.ndarray
    signup_us: np.ndarray
    legacy_signup: np.ndarray
    churn_us: np.ndarray
    return_us: np.ndarray
    decline_day: np.ndarray
    upgrade_us: np.ndarray
    country: np.ndarray
    review_rate: np.ndarray
    failure_mult: np.ndarray
    auto_coding: np.ndarray
    api_share: np.ndarray
    latency_mult: np.ndarray
    quality_spread: np.ndarray
    tax_rate: np.ndarray
    coupon_pct: np.ndarray
    coupon_months: np.ndarray
    seat_buffer: np.ndarray
    first_provider: np.ndarray
    provider_end: np.ndarray

    @property
    def n(self) -> int:
        """Number of orgs."""
        return len(self.plan)


@dataclass(frozen=True)
class Providers:
    """One entry per provider, grouped by org (see ``Orgs.first_provider``)."""

    ids: pa.Array
    user_ids: pa.Array
    org: np.ndarray
    role: np.ndarray
    join_us: np.ndarray
    leave_us: np.ndarray
    base_p: np.ndarray
    job_rate: np.ndarray
    extra_sessions: np.ndarray
    device: np.ndarray

    @property
    def n(self) -> int:
        """Number of providers."""
        return len(self.org)


@dataclass(frozen=True)
class Population:
    """All orgs and providers, plus the scale knobs they were drawn with."""

    orgs: Orgs
    providers: Providers
    activity_scale: float


def _org_names(rng: np.random.Generator, n: int) -> list[str]:
    """Readable, distinct practice names."""
    names: list[str] = []
    seen: dict[str, int] = {}
    a = rng.integers(0, len(v.ORG_WORDS_A), n)
    b = rng.integers(0, len(v.ORG_WORDS_B), n)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        name = f"{v.ORG_WORDS_A[i]} {v.ORG_WORDS_B[j]}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return names


def _lifecycles(rng: np.random.Generator, window: Window, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Lifecycle and signup time of each org; the first five of a shuffle cover every lifecycle."""
    days = window.days
    pre_window = rng.random(n) < 0.65
    days_before = np.minimum(1 + rng.exponential(200.0, n), HISTORY_DAYS).astype(np.int64)
    day_in = (rng.random(n) * 0.85 * days).astype(np.int64)
    lifecycle = np.where(
        pre_window,
        rng.choice(5, n, p=_LIFECYCLE_SHARE_OLD),
        rng.choice(5, n, p=_LIFECYCLE_SHARE_NEW),
    )
    if n >= 5:
        forced = rng.permutation(n)[:5]
        lifecycle[forced] = [v.GROWING, v.STEADY, v.DECLINING, v.CHURNED, v.RETURNING]
        pre_window[forced[2:]] = True
    signup_day = np.where(pre_window, -days_before, day_in)
    time_of_day = (8 * HOUR_US + rng.random(n) * 9 * HOUR_US).astype(np.int64)
    signup_us = window.start_local + signup_day * DAY_US + time_of_day
    return lifecycle, signup_us


def _churn_times(
    rng: np.random.Generator, window: Window, lifecycle: np.ndarray, signup_us: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Churn and return times (local midnights) and the lifecycle after fitting them in the window."""
    n, days = len(lifecycle), window.days
    lifecycle = lifecycle.copy()
    signup_day = (signup_us - window.start_local) // DAY_US
    earliest = np.maximum(signup_day + 21, 0)
    churn_day = np.where(
        lifecycle == v.RETURNING,
        np.maximum(earliest, (rng.uniform(0.15, 0.4, n) * days).astype(np.int64)),
        np.maximum(earliest, (rng.uniform(0.3, 0.75, n) * days).astype(np.int64)),
    )
    return_day = churn_day + rng.integers(14, 29, n)
    returning = lifecycle == v.RETURNING
    lifecycle[returning & (return_day >= days - 7)] = v.CHURNED
    churning = np.isin(lifecycle, [v.CHURNED, v.RETURNING])
    lifecycle[churning & (churn_day >= days - 3)] = v.STEADY
    churning = np.isin(lifecycle, [v.CHURNED, v.RETURNING])
    churn_us = np.where(churning, window.start_local + churn_day * DAY_US, NEVER)
    return_us = np.where(lifecycle == v.RETURNING, window.start_local + return_day * DAY_US, NEVER)
    return lifecycle, churn_us, return_us


def build_orgs(rng: np.random.Generator, window: Window, n: int) -> Orgs:
    """Draw ``n`` orgs (providers are attached by :func:`build_population`)."""
    days = window.days
    plan = rng.choice(len(v.PLANS), n, p=v.PLAN_SHARE)
    annual = rng.random(n) < v.ANNUAL_SHARE[plan]
    if n >= 3 and not annual.any():  # keep at least one yearly subscription in small worlds
        annual[rng.integers(0, n)] = True
    lifecycle, signup_us = _lifecycles(rng, window, n)
    lifecycle, churn_us, return_us = _churn_times(rng, window, lifecycle, signup_us)
    upgrade = (lifecycle == v.GROWING) & (plan == 0) & (rng.random(n) < 0.35)
    upgrade_at = window.start_local + (rng.uniform(0.2, 0.8, n) * days * DAY_US).astype(np.int64)
    upgrade_us = np.where(upgrade, upgrade_at, NEVER)
    coupon = rng.random(n) < 0.2
    return Orgs(
        ids=uuid4s(rng, n),
        names=_org_names(rng, n),
        plan=plan,
        annual=annual,
        lifecycle=lifecycle,
        signup_us=signup_us,
        legacy_signup=signup_us < window.start_local - 365 * DAY_US,
        churn_us=churn_us,
        return_us=return_us,
        decline_day=rng.uniform(0.1, 0.5, n) * days,
        upgrade_us=upgrade_us,
        country=(rng.random(n) < 0.1).astype(np.int64),
        review_rate=np.where(rng.random(n) < 0.15, rng.uniform(0.45, 0.65, n), rng.uniform(0.05, 0.18, n)),
        failure_mult=np.where(rng.random(n) < 0.12, rng.uniform(3.0, 5.0, n), rng.uniform(0.6, 1.4, n)),
        auto_coding=np.where(rng.random(n) < 0.2, rng.uniform(0.35, 0.6, n), rng.uniform(0.08, 0.25, n)),
        api_share=np.where(rng.random(n) < 0.25, rng.uniform(0.1, 0.4, n), 0.0),
        latency_mult=np.where(rng.random(n) < 0.08, rng.uniform(2.0, 3.0, n), rng.uniform(0.8, 1.25, n)),
        quality_spread=np.where(rng.random(n) < 0.1, 1.6, 1.0),
        tax_rate=np.where(rng.random(n) < 0.3, rng.choice([0.06, 0.0725, 0.0875], n), 0.0),
        coupon_pct=np.where(coupon, rng.choice([0.10, 0.15, 0.20], n), 0.0),
        coupon_months=np.where(rng.random(n) < 0.5, 3, 0),
        seat_buffer=rng.integers(0, 4, n),
        first_provider=np.zeros(n, dtype=np.int64),
        provider_end=np.zeros(n, dtype=np.int64),
    )


_U = 15
"""Uniform draws per provider; provider k of an org always gets row k, whatever the org's size."""


def _provider_uniforms(seed: int, org: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(count, _U) uniforms and (count, 64) hex nibbles for an org's providers.

    Rows are a prefix-stable stream: growing an org only appends providers, so resizing a
    population to hit an event target changes it smoothly.
    """
    traits = np.random.default_rng(np.random.SeedSequence([seed, 10, org])).random((count, _U))
    nibbles = np.random.default_rng(np.random.SeedSequence([seed, 11, org])).integers(
        0, 16, size=(count, 64), dtype=np.uint8
    )
    return traits, nibbles


def _join_times(u: np.ndarray, window: Window, orgs: Orgs, org: np.ndarray, creator: np.ndarray) -> np.ndarray:
    """When each provider joins: the creator minutes after signup, others soon after or over time."""
    signup = orgs.signup_us[org]
    initial = u[:, 1] < _INITIAL_SHARE[orgs.lifecycle[org]]
    soon = signup + (-5.0 * np.log1p(-u[:, 2]) * DAY_US).astype(np.int64)
    lo = np.maximum(signup, window.start_local - window.days // 2 * DAY_US)
    hi = np.minimum(window.end_local - DAY_US, orgs.churn_us[org] - 7 * DAY_US)
    later = lo + (u[:, 3] * np.maximum(hi - lo, 0)).astype(np.int64)
    join = np.where(initial | (hi <= lo), soon, later)
    join = (join // DAY_US) * DAY_US + (8 * HOUR_US + u[:, 4] * 9 * HOUR_US).astype(np.int64)
    join = np.maximum(join, signup + ((2 + 58 * u[:, 5]) * MINUTE_US).astype(np.int64))
    join = np.where(creator, signup + ((1 + 9 * u[:, 6]) * MINUTE_US).astype(np.int64), join)
    return np.minimum(join, window.end_local - HOUR_US)


def _leave_times(
    u: np.ndarray, window: Window, orgs: Orgs, org: np.ndarray, join: np.ndarray, creator: np.ndarray
) -> np.ndarray:
    """When providers stop working: many in declining orgs, a few anywhere; the creator stays."""
    decline_from = window.start_local + (orgs.decline_day[org] * DAY_US).astype(np.int64)
    leaves = (orgs.lifecycle[org] == v.DECLINING) & ~creator & (u[:, 7] < 0.45)
    begin = np.maximum(decline_from, join)
    span = np.maximum(window.end_local - begin, DAY_US)
    leave = np.where(leaves, begin + (u[:, 8] * span).astype(np.int64), NEVER)
    drifts = ~creator & (u[:, 9] < 0.04)
    drift_at = join + (14 + u[:, 10] * 2 * window.days).astype(np.int64) * DAY_US
    return np.where(drifts, np.minimum(leave, drift_at), leave)


def build_population(
    seed: int, window: Window, n_orgs: int, *, seat_scale: float = 1.0, activity_scale: float = 1.0
) -> Population:
    """Draw the orgs and providers; the same arguments always give the same population."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    orgs = build_orgs(rng, window, n_orgs)
    seats = v.SEAT_MEDIAN[orgs.plan] * np.exp(rng.normal(0.0, 0.5, n_orgs)) * seat_scale
    counts = np.maximum(np.rint(seats), 1).astype(np.int64)
    end = np.cumsum(counts)
    orgs.first_provider[:] = end - counts
    orgs.provider_end[:] = end
    org = np.repeat(np.arange(n_orgs), counts)
    blocks = [_provider_uniforms(seed, i, int(c)) for i, c in enumerate(counts.tolist())]
    u = np.vstack([b[0] for b in blocks]) if blocks else np.zeros((0, _U))
    nibbles = np.vstack([b[1] for b in blocks]) if blocks else np.zeros((0, 64), dtype=np.uint8)
    creator = np.zeros(len(org), dtype=bool)
    creator[orgs.first_provider] = True
    role = np.where(
        creator,
        np.where(u[:, 0] < 0.6, v.ADMIN, v.DOCTOR),
        np.searchsorted(np.cumsum(v.ROLE_SHARE), u[:, 0] * v.ROLE_SHARE.sum(), side="right"),
    )
    join = _join_times(u, window, orgs, org, creator)
    normal = np.sqrt(-2.0 * np.log1p(-u[:, 11])) * np.cos(2 * np.pi * u[:, 12])
    intensity = np.exp(0.55 * normal)
    admin = role == v.ADMIN
    device = np.searchsorted(np.cumsum(v.DEVICE_SHARE), u[:, 14] * v.DEVICE_SHARE.sum(), side="right")
    providers = Providers(
        ids=uuids_from_nibbles(nibbles[:, :32]),
        user_ids=uuids_from_nibbles(nibbles[:, 32:]),
        org=org,
        role=role,
        join_us=join,
        leave_us=_leave_times(u, window, orgs, org, join, creator),
        base_p=(0.3 + 0.6 * u[:, 13] ** 0.7) * np.where(admin, 0.5, 1.0),
        job_rate=intensity * np.where(admin, 0.3, 1.5),
        extra_sessions=0.45 * intensity,
        device=np.minimum(device, len(v.DEVICES) - 1),
    )
    return Population(orgs=orgs, providers=providers, activity_scale=activity_scale)
