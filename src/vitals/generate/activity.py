"""Provider activity: which days a provider works, their sessions and summarization jobs, as arrays.

Times are local wall-clock microseconds (see ``clock``); ``events.py`` and ``errors.py`` turn the
result into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, US
from vitals.generate.orgs import Population
from vitals.generate.window import Window

DOW_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 0.75, 0.12, 0.08])
"""Chance of working on a weekday relative to Monday–Thursday (index 0 = Monday)."""
_HOURS_WEEKDAY = np.array(
    [0.3, 0.15, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 8, 12, 13, 13, 12, 9, 8, 7, 6, 4, 2.5, 1.5, 1.2, 1, 0.6, 0.4]
)
_HOURS_FRIDAY = _HOURS_WEEKDAY * np.where(np.arange(24) >= 13, 0.6, 1.0)
_HOURS_WEEKEND = np.array(
    [0.4, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.5, 3, 4, 4.5, 4.5, 4, 3.5, 3, 2.5, 2, 1.8, 1.5, 1.3, 1.2, 1, 0.8, 0.6]
)
_HOUR_CDF = np.cumsum(np.vstack([_HOURS_WEEKDAY, _HOURS_FRIDAY, _HOURS_WEEKEND]), axis=1)
_HOUR_CDF /= _HOUR_CDF[:, -1:]
_HOUR_CDF[:, -1] = 1.0
_PROFILE = np.array([0, 0, 0, 0, 1, 2, 2])
"""Hour-of-day profile per weekday: Monday–Thursday, Friday, weekend."""

BOUNCE_RATE = 0.08
LOGIN_RATE = 0.85
PRE_PAGES = 1.2
"""Mean page views before the first job, beyond the first one."""
POST_PAGES = 0.8
LOGOUT_RATE = 0.35
STATUS_RATE = 0.95
"""Share of saved notes that get a note_locked / note_review event."""
NO_NOTE_RATE = 0.03
"""Share of jobs whose events carry no note_id (the job key falls back to request_id)."""
_ERROR_CODE_SHARE = np.array([0.35, 0.2, 0.15, 0.15, 0.15])


@dataclass(frozen=True)
class Events:
    """Event rows before rendering: one entry per event; -1 where a reference does not apply."""

    t_local: np.ndarray
    kind: np.ndarray
    org: np.ndarray
    prov: np.ndarray
    session: np.ndarray
    job: np.ndarray
    page: np.ndarray

    def select(self, rows: np.ndarray) -> Events:
        """The events at these indices (or where this mask holds)."""
        return Events(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Sessions:
    """One entry per session of the chunk."""

    prov: np.ndarray
    org: np.ndarray
    start: np.ndarray
    end: np.ndarray
    device: np.ndarray


@dataclass(frozen=True)
class Jobs:
    """One entry per summarization job of the chunk."""

    session: np.ndarray
    prov: np.ndarray
    org: np.ndarray
    submit: np.ndarray
    started: np.ndarray
    done: np.ndarray
    saved: np.ndarray
    status_at: np.ndarray
    has_status: np.ndarray
    review: np.ndarray
    outcome: np.ndarray
    has_note: np.ndarray
    feature: np.ndarray
    length: np.ndarray
    api: np.ndarray
    quality: np.ndarray
    hard_error: np.ndarray
    release: np.ndarray
    error_code: np.ndarray
    silent_kind: np.ndarray
    sentry_at: np.ndarray
    fatal: np.ndarray


@dataclass(frozen=True)
class Activity:
    """Everything simulated for one chunk of orgs."""

    events: Events
    sessions: Sessions
    jobs: Jobs


def org_trend(pop: Population, window: Window, orgs: np.ndarray) -> np.ndarray:
    """Activity multiplier per selected org and window day, from the org's lifecycle."""
    o = pop.orgs
    days = window.days
    d = np.arange(days, dtype=np.float64)[None, :]
    day_starts = window.day_starts()[None, :]
    life = o.lifecycle[orgs][:, None]
    trend = np.ones((len(orgs), days))
    trend = np.where(life == v.GROWING, 0.85 + 0.3 * d / max(days - 1, 1), trend)
    decline = o.decline_day[orgs][:, None]
    fall = np.clip((d - decline) / np.maximum(days - decline, 1.0), 0.0, 1.0)
    trend = np.where(life == v.DECLINING, 1.0 - 0.65 * fall, trend)
    churn_day = (o.churn_us[orgs][:, None] - window.start_local) / DAY_US
    taper = np.clip((d - (churn_day - 21)) / 21, 0.0, 1.0)
    churning = (life == v.CHURNED) | (life == v.RETURNING)
    trend = np.where(churning & (d < churn_day), 1.0 - 0.65 * taper, trend)
    back = np.clip((day_starts - o.return_us[orgs][:, None]) / (14 * DAY_US), 0.0, 1.0)
    trend = np.where(churning & (day_starts >= o.return_us[orgs][:, None]), 0.7 + 0.3 * back, trend)
    in_service = (day_starts + DAY_US <= o.churn_us[orgs][:, None]) | (day_starts >= o.return_us[orgs][:, None])
    onboarding = np.where(day_starts < o.signup_us[orgs][:, None] + 7 * DAY_US, 0.6, 1.0)
    return trend * in_service * onboarding


@dataclass(frozen=True)
class Chunk:
    """A unit of work: providers to simulate and the orgs whose creation events it emits."""

    orgs: np.ndarray
    providers: np.ndarray


def day_probabilities(pop: Population, window: Window, provs: np.ndarray) -> np.ndarray:
    """Per provider (of ``provs``) and window day, the chance the provider works that day."""
    p = pop.providers
    orgs, local_org = np.unique(p.org[provs], return_inverse=True)
    day_starts = window.day_starts()[None, :]
    first_day = (p.join_us[provs] // DAY_US + 1)[:, None] * DAY_US
    alive = (day_starts >= first_day) & (day_starts + DAY_US <= p.leave_us[provs][:, None])
    ramp = np.where(day_starts < first_day + 3 * DAY_US, 0.6, 1.0)
    trend = org_trend(pop, window, orgs)[local_org]
    chance = p.base_p[provs][:, None] * DOW_FACTOR[window.weekdays()][None, :] * trend * ramp * alive
    return np.minimum(chance * pop.activity_scale, 0.97)


def job_events_per_job(failure_mult: np.ndarray) -> np.ndarray:
    """Expected number of events one job produces, per org failure multiplier."""
    rates = v.FAILURE_RATES[None, :] * np.asarray(failure_mult)[:, None]
    success = 1.0 - rates.sum(axis=1)
    return success * (4 + STATUS_RATE) + rates[:, 0] * 3 + rates[:, 1] * 2 + rates[:, 2] * 2


def expected_activity(pop: Population, window: Window, *, block: int = 4000) -> np.ndarray:
    """Expected number of session and job events per provider over the window."""
    p = pop.providers
    per_job = job_events_per_job(pop.orgs.failure_mult)
    expected = np.zeros(p.n)
    for start in range(0, p.n, block):
        provs = np.arange(start, min(start + block, p.n))
        chance = day_probabilities(pop, window, provs)
        per_session = BOUNCE_RATE + (1 - BOUNCE_RATE) * (
            LOGIN_RATE + 1 + PRE_PAGES + POST_PAGES + LOGOUT_RATE + p.job_rate[provs] * per_job[p.org[provs]]
        )
        expected[provs] = chance.sum(axis=1) * (1 + p.extra_sessions[provs]) * per_session
    return expected


def _lognormal_us(rng: np.random.Generator, median_s: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Log-normal durations in microseconds around a median in seconds."""
    return (np.asarray(median_s) * np.exp(rng.normal(0.0, sigma, n)) * US).astype(np.int64)


def _within_cumsum(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Exclusive cumulative sum of ``x`` restarting at every segment (segment sizes ``counts``)."""
    before = np.cumsum(x) - x
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return before - before[starts]


def _segment_sum(x: np.ndarray, segment: np.ndarray, n: int) -> np.ndarray:
    """Sum of ``x`` per segment id (0..n-1)."""
    return np.rint(np.bincount(segment, weights=x, minlength=n)).astype(np.int64)


def in_service(pop: Population, window: Window, org: np.ndarray, t_local: np.ndarray) -> np.ndarray:
    """Whether activity at these times is possible: inside the window and not while the org is gone."""
    o = pop.orgs
    gone = (t_local >= o.churn_us[org]) & (t_local < o.return_us[org])
    return (t_local < window.end_local) & ~gone


def _sessions(
    pop: Population, window: Window, provs: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Provider and local start time of every session."""
    p = pop.providers
    chance = day_probabilities(pop, window, provs)
    worked = rng.random(chance.shape) < chance
    row, day = np.nonzero(worked)
    prov = provs[row]
    per_day = 1 + rng.poisson(p.extra_sessions[prov])
    s_prov, s_day = np.repeat(prov, per_day), np.repeat(day, per_day)
    profile = _PROFILE[window.weekdays()[s_day]]
    hour = (rng.random(len(s_prov))[:, None] > _HOUR_CDF[profile]).sum(axis=1)
    start = window.day_starts()[s_day] + hour * HOUR_US + rng.integers(0, HOUR_US, len(s_prov))
    return s_prov, start


def _quality(rng: np.random.Generator, spread: np.ndarray, incident: np.ndarray) -> np.ndarray:
    """Quality scores: mostly ≥ 0.7, but mostly below it during the incident."""
    normal = 1.0 - rng.gamma(2.0, 0.055 * spread)
    bad = rng.uniform(0.25, 0.78, len(spread))
    return np.round(np.clip(np.where(incident, bad, normal), 0.0, 1.0), 3)


def simulate(pop: Population, window: Window, chunk: Chunk, rng: np.random.Generator) -> Activity:
    """Sessions, jobs and their events for a chunk of providers over the window."""
    p = pop.providers
    s_prov, s_start = _sessions(pop, window, chunk.providers, rng)
    n = len(s_prov)
    s_org = p.org[s_prov]
    device = np.where(rng.random(n) < 0.85, p.device[s_prov], rng.choice(len(v.DEVICES), n, p=v.DEVICE_SHARE))
    bounce = rng.random(n) < BOUNCE_RATE
    has_login = np.where(bounce, rng.random(n) < 0.5, rng.random(n) < LOGIN_RATE)
    n_pre = np.where(bounce, (~has_login).astype(np.int64), 1 + rng.poisson(PRE_PAGES, n))
    n_jobs = np.where(bounce, 0, rng.poisson(p.job_rate[s_prov]))
    n_post = np.where(bounce, 0, rng.poisson(POST_PAGES, n))
    has_logout = ~bounce & (rng.random(n) < LOGOUT_RATE)

    # Before the jobs: login, then page views.
    first_gap = np.where(has_login & ~bounce, _lognormal_us(rng, 3.0, 0.5, n), 0)
    pre_sess = np.repeat(np.arange(n), n_pre)
    pre_gap = _lognormal_us(rng, 20.0, 0.8, len(pre_sess))
    pre_t = s_start[pre_sess] + first_gap[pre_sess] + _within_cumsum(pre_gap, n_pre)
    pre_end = first_gap + _segment_sum(pre_gap, pre_sess, n)

    jobs, job_span = _jobs(pop, window, rng, s_org, s_prov, s_start, pre_end, n_jobs)
    post_base = s_start + pre_end + job_span
    post_sess = np.repeat(np.arange(n), n_post)
    post_gap = _lognormal_us(rng, 20.0, 0.8, len(post_sess))
    post_t = post_base[post_sess] + _within_cumsum(post_gap, n_post)
    s_end = post_base + _segment_sum(post_gap, post_sess, n)
    logout_t = s_end + _lognormal_us(rng, 5.0, 0.5, n)
    s_end = np.where(has_logout, logout_t, s_end)

    sessions = Sessions(prov=s_prov, org=s_org, start=s_start, end=s_end, device=device)
    blocks = [
        _block(s_start[has_login], v.LOGIN, s_org, s_prov, np.flatnonzero(has_login)),
        _block(pre_t, v.PAGE_VIEW, s_org, s_prov, pre_sess, page=rng.integers(0, len(v.PAGE_PATHS), len(pre_t))),
        _block(post_t, v.PAGE_VIEW, s_org, s_prov, post_sess, page=rng.integers(0, len(v.PAGE_PATHS), len(post_t))),
        _block(logout_t[has_logout], v.LOGOUT, s_org, s_prov, np.flatnonzero(has_logout)),
        *_job_blocks(jobs),
    ]
    events = _concat(blocks)
    events = events.select(in_service(pop, window, events.org, events.t_local))
    return Activity(events=_concat([_creation_events(pop, chunk), events]), sessions=sessions, jobs=jobs)


def _jobs(
    pop: Population,
    window: Window,
    rng: np.random.Generator,
    s_org: np.ndarray,
    s_prov: np.ndarray,
    s_start: np.ndarray,
    pre_end: np.ndarray,
    n_jobs: np.ndarray,
) -> tuple[Jobs, np.ndarray]:
    """The jobs of every session, one after another, and the time they take per session."""
    o = pop.orgs
    n = len(s_org)
    session = np.repeat(np.arange(n), n_jobs)
    m = len(session)
    org, prov = s_org[session], s_prov[session]
    cum = np.cumsum(v.FAILURE_RATES[None, :] * o.failure_mult[org][:, None], axis=1)
    u = rng.random(m)
    outcome = np.select([u < cum[:, 0], u < cum[:, 1], u < cum[:, 2]], [v.FAILED, v.SENTRY_ONLY, v.TIMEOUT], v.SUCCESS)
    success = outcome == v.SUCCESS
    to_start = _lognormal_us(rng, 1.2, 0.5, m)
    tail = np.where(rng.random(m) < 0.04, rng.uniform(120, 600, m) * US, 0).astype(np.int64)
    run = np.select(
        [success, outcome == v.FAILED, outcome == v.SENTRY_ONLY],
        [
            _lognormal_us(rng, 35.0 * o.latency_mult[org], 0.5, m) + tail,
            (rng.uniform(3, 60, m) * US).astype(np.int64),
            (rng.uniform(2, 40, m) * US).astype(np.int64),
        ],
        0,
    )
    to_save = _lognormal_us(rng, 100.0, 0.8, m)
    to_status = _lognormal_us(rng, 15.0, 0.7, m)
    has_status = success & (rng.random(m) < STATUS_RATE)
    span = np.where(
        success,
        to_start + run + to_save + has_status * to_status,
        to_start + run + _lognormal_us(rng, 90.0, 0.5, m),
    )
    step = span + _lognormal_us(rng, 300.0, 0.7, m)
    submit = s_start[session] + pre_end[session] + _within_cumsum(step, n_jobs)
    done = submit + to_start + run
    lo, hi = window.incident_local()
    incident = (done >= lo) & (done < hi)
    progress = np.clip((submit - window.start_local) / (window.days * DAY_US), 0.0, 0.999)
    release = np.maximum((progress * len(v.RELEASES)).astype(np.int64) - (rng.random(m) < 0.2), 0)
    sentry_at = np.select(
        [outcome == v.FAILED, outcome == v.SENTRY_ONLY],
        [done + (rng.uniform(-1.5, 1.5, m) * US).astype(np.int64), done],
        -1,
    )
    jobs = Jobs(
        session=session,
        prov=prov,
        org=org,
        submit=submit,
        started=submit + to_start,
        done=done,
        saved=done + to_save,
        status_at=done + to_save + to_status,
        has_status=has_status,
        review=rng.random(m) < o.review_rate[org],
        outcome=outcome,
        has_note=rng.random(m) >= NO_NOTE_RATE,
        feature=(rng.random(m) < o.auto_coding[org]).astype(np.int64),
        length=np.clip(900 * np.exp(rng.normal(0, 0.6, m)), 40, 20000).astype(np.int64),
        api=rng.random(m) < o.api_share[org],
        quality=_quality(rng, o.quality_spread[org], incident),
        hard_error=rng.random(m) < np.where(incident, 0.08, 0.01),
        release=release,
        error_code=rng.choice(len(v.ERROR_CODES), m, p=_ERROR_CODE_SHARE),
        silent_kind=rng.integers(0, len(v.SILENT_ERRORS), m),
        sentry_at=sentry_at,
        fatal=rng.random(m) < 0.12,
    )
    return jobs, _segment_sum(step, session, n)


def _block(
    t: np.ndarray,
    kind: int,
    s_org: np.ndarray,
    s_prov: np.ndarray,
    session: np.ndarray,
    page: np.ndarray | None = None,
) -> Events:
    """Session-level events of one kind."""
    none = np.full(len(t), -1, dtype=np.int64)
    return Events(
        t_local=t,
        kind=np.full(len(t), kind, dtype=np.int64),
        org=s_org[session],
        prov=s_prov[session],
        session=session,
        job=none,
        page=none if page is None else page,
    )


def _job_blocks(jobs: Jobs) -> list[Events]:
    """The events of every job: submit, start, outcome, save and patient status."""
    success = jobs.outcome == v.SUCCESS
    everything = np.ones(len(jobs.outcome), dtype=bool)
    parts = [
        (everything, jobs.submit, v.NOTE_SUBMIT),
        (everything, jobs.started, v.SUMMARIZE_START),
        (success, jobs.done, v.SUMMARIZE_SUCCESS),
        (jobs.outcome == v.FAILED, jobs.done, v.SUMMARIZE_FAILED),
        (success, jobs.saved, v.NOTE_SAVE),
        (jobs.has_status & ~jobs.review, jobs.status_at, v.NOTE_LOCKED),
        (jobs.has_status & jobs.review, jobs.status_at, v.NOTE_REVIEW),
    ]
    blocks = []
    for mask, t, kind in parts:
        idx = np.flatnonzero(mask)
        blocks.append(
            Events(
                t_local=t[idx],
                kind=np.full(len(idx), kind, dtype=np.int64),
                org=jobs.org[idx],
                prov=jobs.prov[idx],
                session=jobs.session[idx],
                job=idx,
                page=np.full(len(idx), -1, dtype=np.int64),
            )
        )
    return blocks


def _creation_events(pop: Population, chunk: Chunk) -> Events:
    """org_created (org_signup for old orgs) and provider_created events of a chunk."""
    o, p = pop.orgs, pop.providers
    orgs, provs = chunk.orgs, chunk.providers
    n_orgs, n_provs = len(orgs), len(provs)
    return Events(
        t_local=np.concatenate([o.signup_us[orgs], p.join_us[provs]]),
        kind=np.concatenate(
            [
                np.where(o.legacy_signup[orgs], v.ORG_SIGNUP, v.ORG_CREATED),
                np.full(n_provs, v.PROVIDER_CREATED),
            ]
        ).astype(np.int64),
        org=np.concatenate([orgs, p.org[provs]]).astype(np.int64),
        prov=np.concatenate([np.full(n_orgs, -1), provs]).astype(np.int64),
        session=np.full(n_orgs + n_provs, -1, dtype=np.int64),
        job=np.full(n_orgs + n_provs, -1, dtype=np.int64),
        page=np.full(n_orgs + n_provs, -1, dtype=np.int64),
    )


def _concat(blocks: list[Events]) -> Events:
    """One Events of several."""
    names = [f.name for f in fields(Events)]
    return Events(**{name: np.concatenate([getattr(b, name) for b in blocks]) for name in names})
