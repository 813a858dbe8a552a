"""``retention_campaigns``: customer success reaching out to at-risk orgs, with outcomes that follow what the
orgs then do in the generated events.

- A declining org gets a training or check-in campaign one to three weeks into its decline. Its activity keeps
  falling: ``no_response`` 30 days later when nobody answered, else undecided ('').
- An org about to churn gets a check-in (a renewal campaign on a yearly plan) in the weeks before: ``churned``
  at its churn date. After it churns, a win-back campaign: ``churned`` 30 days later.
- An org that comes back is won back: its win-back campaign goes out days before its return, is answered, and
  is ``recovered`` two weeks after the return, once its activity is back.
- A healthy org with a poor product experience (many notes reviewed, failed or slow jobs) gets a training
  campaign; its activity keeps going: ``recovered`` 30 days later when it answered, else ``no_response``.

Each step (started, sent, opened, clicked, responded, the outcome) is a new version; an outcome due after the
window's end stays ''. Drawn from its own random stream (``[seed, STREAM]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from vitals.contracts import RETENTION_CAMPAIGNS
from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US, US
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import NEVER, Population
from vitals.generate.records import EMPTY, Rows, business_moment
from vitals.generate.support import troubled
from vitals.generate.window import Window

STREAM = 33
"""The generator's random stream of campaigns (see ``SeedSequence([seed, STREAM])``)."""
DECIDED_AFTER_US = 30 * DAY_US
"""An outcome is judged this long after the start (recovery: two weeks after a return)."""
OPEN_RATE = {"email": 0.55, "in_app": 0.75}
CLICK_RATE = 0.4
"""Share of opened messages whose link is clicked."""


@dataclass(frozen=True)
class Plan:
    """A campaign to send: whom, what, when, how likely an answer, and the outcome it gets when."""

    org: int
    kind: str
    channel: str
    start: int
    respond_rate: float
    outcome: str
    decided: int
    respond_by: int = NEVER
    """Answered for sure, before this time (a win-back that works)."""


def _plans(rng: np.random.Generator, pop: Population, window: Window) -> list[Plan]:
    """The campaigns of every at-risk org, in org order."""
    o = pop.orgs
    start, end = window.start_local, window.end_local
    trouble = troubled(pop)
    plans: list[Plan] = []
    for org in range(o.n):
        life = int(o.lifecycle[org])
        signup, churn, back = int(o.signup_us[org]), int(o.churn_us[org]), int(o.return_us[org])
        earliest = max(start, signup + 7 * DAY_US)
        if life == v.DECLINING:
            at = start + int((o.decline_day[org] + rng.uniform(7, 21)) * DAY_US)
            kind = "training" if rng.random() < 0.6 else "check_in"
            channel = "in_app" if kind == "training" and rng.random() < 0.5 else "email"
            at = max(at, earliest)
            plans.append(Plan(org, kind, channel, at, 0.2, "no_response", at + DECIDED_AFTER_US))
        elif life in (v.CHURNED, v.RETURNING):
            before = churn - int(rng.uniform(8, 20) * DAY_US)
            if before >= earliest:
                kind = "renewal" if o.annual[org] else "check_in"
                plans.append(
                    Plan(org, kind, "email", before, 0.15, "churned", churn + int(rng.uniform(0, 10) * HOUR_US))
                )
            if life == v.CHURNED:
                after = churn + int(rng.uniform(7, 20) * DAY_US)
                plans.append(Plan(org, "win_back", "email", after, 0.08, "churned", after + DECIDED_AFTER_US))
            else:
                after = max(churn + 2 * DAY_US, back - int(rng.uniform(6, 12) * DAY_US))
                respond_by = back - int(rng.uniform(1, 3) * DAY_US)
                plans.append(Plan(org, "win_back", "email", after, 1.0, "recovered", back + 14 * DAY_US, respond_by))
        elif trouble[org] and rng.random() < 0.7 and earliest < end - 3 * DAY_US:
            at = earliest + int(rng.uniform(0, 0.7) * (end - 3 * DAY_US - earliest))
            plans.append(Plan(org, "training", "in_app", at, 0.65, "recovered", at + DECIDED_AFTER_US))
    plans = [p for p in plans if p.start < end - DAY_US]
    if not plans and o.n:  # even a tiny world has a campaign: a check-in of the first org, undecided
        at = max(start, int(o.signup_us[0]) + 7 * DAY_US, end - 7 * DAY_US)
        plans.append(Plan(0, "check_in", "email", min(at, end - 2 * DAY_US), 0.3, "", NEVER))
    return plans


def _steps(rng: np.random.Generator, plan: Plan) -> dict[str, int]:
    """When it started, was sent, opened, clicked and answered (EMPTY when not, or not before the outcome)."""
    started = business_moment(rng, plan.start)
    sent = started + int(rng.uniform(5, 120) * MINUTE_US)
    sure = plan.respond_by != NEVER
    opened = (
        sent + int((rng.exponential(10.0) + 0.1) * HOUR_US) if sure or rng.random() < OPEN_RATE[plan.channel] else EMPTY
    )
    if sure:
        opened = max(min(opened, plan.respond_by - 2 * HOUR_US), sent + 10 * MINUTE_US)
    clicked = opened + int(rng.uniform(1, 30) * MINUTE_US) if opened >= 0 and rng.random() < CLICK_RATE else EMPTY
    answers = opened >= 0 and (sure or rng.random() < plan.respond_rate)
    responded = max(opened, clicked) + int((rng.exponential(1.0) + 0.01) * DAY_US) if answers else EMPTY
    if sure:
        responded = max(min(responded, plan.respond_by), max(opened, clicked) + 10 * MINUTE_US)
    steps = {
        "started_at": started,
        "sent_at": sent,
        "opened_at": opened,
        "clicked_at": clicked,
        "responded_at": responded,
    }
    return {name: at // US * US if 0 <= at < plan.decided else EMPTY for name, at in steps.items()}


def render_campaigns(pop: Population, window: Window, seed: int) -> pa.Table:
    """Every version of every campaign sent up to the window's end, ordered by ``updated_at``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM]))
    plans = _plans(rng, pop, window)
    org_ids = pop.orgs.ids.to_pylist()
    rows = Rows(
        RETENTION_CAMPAIGNS, times=("started_at", "sent_at", "opened_at", "clicked_at", "responded_at", "updated_at")
    )
    for campaign_id, plan in zip(hex_ids(rng, len(plans), 16, prefix="cmp_").to_pylist(), plans, strict=True):
        steps = _steps(rng, plan)
        outcome = plan.outcome
        if outcome in ("no_response", "recovered") and plan.respond_by == NEVER:
            answered = steps["responded_at"] >= 0
            outcome = (
                ("recovered" if answered else "no_response") if outcome == "recovered" else "" if answered else outcome
            )
        changes = sorted({at for at in steps.values() if at >= 0} | ({plan.decided} if outcome else set()))
        for at in changes:
            rows.add(
                campaign_id=campaign_id,
                org_id=org_ids[plan.org],
                kind=plan.kind,
                channel=plan.channel,
                **{name: step if step <= at else EMPTY for name, step in steps.items()},
                outcome=outcome if at >= plan.decided else "",
                updated_at=at,
                _ingest_source="lifecycle_messaging",
                _ingest_ts=at,
            )
    return rows.table(window, "updated_at", rng)
