"""``nps_responses`` rows: a few survey answers per org and month, lower where the org is struggling.

Drawn from their own random stream (``[seed, 5]``), after everything else, so the other sources stay
byte-identical whether or not NPS is generated. Each org answers while it is a customer within the
window (not between churn and return), about 1.5 + 0.25 per provider responses a month (at most 6).
Its mean score follows its health: growing and steady orgs mostly promote, declining and churning
ones mostly detract, and a high review rate, many failures or slow jobs pull it down further.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from vitals.contracts import NPS_RESPONSES
from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, format_plain
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import Population
from vitals.generate.window import Window

STREAM = 5
"""The generator's random stream of NPS answers (see ``SeedSequence([seed, STREAM])``)."""

_BASE_MEAN = {v.GROWING: 9.2, v.STEADY: 8.7, v.DECLINING: 5.6, v.CHURNED: 5.2, v.RETURNING: 7.2}
"""Mean score per lifecycle, before the org's quality penalties."""

COMMENTS = {
    "promoter": ("Saves me an hour every clinic day", "The notes read like I wrote them", "Love the auto-coding"),
    "passive": ("Good, but slow some mornings", "Useful; still fixing a few notes", "Fine once set up"),
    "detractor": ("Too many notes need fixing", "It failed twice this week", "Slower than typing it myself"),
}
COMMENT_RATE = 0.35
"""Share of responses with a free-text comment."""


def _mean_scores(pop: Population, rng: np.random.Generator) -> np.ndarray:
    """Each org's mean score: its lifecycle's, minus quality penalties, plus a little org-level noise."""
    o = pop.orgs
    base = np.array([_BASE_MEAN[int(lc)] for lc in o.lifecycle.tolist()], dtype=float)
    penalty = 1.2 * (o.review_rate > 0.4) + 1.0 * (o.failure_mult > 3.0) + 0.8 * (o.latency_mult > 2.0)
    return base - penalty + rng.normal(0.0, 0.5, o.n)


def _spans(pop: Population, window: Window, org: int) -> list[tuple[int, int]]:
    """Local [start, end) spans in the window while the org is a customer."""
    o = pop.orgs
    start = max(int(o.signup_us[org]) + DAY_US, window.start_local)
    churn = int(o.churn_us[org])
    spans = [(start, min(churn, window.end_local))]
    back = int(o.return_us[org])
    if back < window.end_local:
        spans.append((max(back + DAY_US, window.start_local), window.end_local))
    return [(lo, hi) for lo, hi in spans if hi > lo]


def render_nps(pop: Population, window: Window, seed: int) -> pa.Table:
    """Every NPS response answered in the window, ordered by ``responded_at``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM]))
    o, p = pop.orgs, pop.providers
    means = _mean_scores(pop, rng)
    orgs: list[int] = []
    times: list[np.ndarray] = []
    for org in range(o.n):
        providers = int(o.provider_end[org] - o.first_provider[org])
        per_month = min(1.5 + 0.25 * providers, 6.0)
        for lo, hi in _spans(pop, window, org):
            count = int(rng.poisson(per_month * (hi - lo) / (30 * DAY_US)))
            days = lo // DAY_US * DAY_US + rng.integers(0, max((hi - lo) // DAY_US, 1), count) * DAY_US
            moments = days + (8 * HOUR_US + rng.random(count) * 10 * HOUR_US).astype(np.int64)
            kept = moments[(moments >= lo) & (moments < hi)]
            orgs.extend([org] * len(kept))
            times.append(kept)
    local = np.concatenate(times) if times else np.zeros(0, dtype=np.int64)
    org_of = np.array(orgs, dtype=np.int64)
    n = len(org_of)
    scores = np.clip(np.rint(rng.normal(means[org_of], 1.6)), 0, 10).astype(np.int64) if n else org_of
    respondent = _respondents(pop, org_of, local, rng)
    category = np.where(scores >= 9, "promoter", np.where(scores >= 7, "passive", "detractor"))
    with_comment = rng.random(n) < COMMENT_RATE
    picks = rng.integers(0, 3, n)
    comments = [
        COMMENTS[str(c)][int(k)] if has else None
        for c, k, has in zip(category.tolist(), picks.tolist(), with_comment.tolist(), strict=True)
    ]
    order = np.argsort(local, kind="stable")
    utc = window.clock.to_utc(local)
    columns = {
        "response_id": hex_ids(rng, n, 20, prefix="nps_"),
        "org_id": o.ids.take(pa.array(org_of)),
        "provider_id": p.ids.take(pa.array(respondent)),
        "user_id": p.user_ids.take(pa.array(respondent)),
        "score": pa.array([str(s) for s in scores.tolist()], pa.string()),
        "comment": pa.array(comments, pa.string()),
        "responded_at": format_plain(utc, seconds_only=True),
    }
    table = pa.table([columns[c] for c in NPS_RESPONSES.column_names], names=NPS_RESPONSES.column_names)
    return table.take(pa.array(order))


def _respondents(pop: Population, org_of: np.ndarray, local: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A provider of the org working at the time of each response (the org's first one if nobody is)."""
    o, p = pop.orgs, pop.providers
    out = np.empty(len(org_of), dtype=np.int64)
    for i, (org, at) in enumerate(zip(org_of.tolist(), local.tolist(), strict=True)):
        lo, hi = int(o.first_provider[org]), int(o.provider_end[org])
        working = np.flatnonzero((p.join_us[lo:hi] <= at) & (p.leave_us[lo:hi] > at))
        out[i] = lo + (int(working[rng.integers(0, len(working))]) if len(working) else 0)
    return out
