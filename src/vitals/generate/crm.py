"""``crm_deals``, ``crm_activities`` and ``crm_quotas``: a sales team working a HubSpot-style pipeline.

The CRM's history starts ``CRM_LEAD_IN_DAYS`` before the window. New-business reps win one deal per org that
signs up from then on, closed hours to days before the org's first invoice, worth a year of its first
subscription; other prospects are lost at some stage (a few as ``no_decision`` after weeks of silence) or still
open at the window's end, a few of them stalled (no stage change and no activity for more than
``STALLED_DAYS``). Account managers work expansion
deals of paying orgs: one won shortly before each plan upgrade, others open or lost. Each stage change is a
new version of the deal. Drawn from its own random stream (``[seed, STREAM]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from vitals.contracts import CRM_ACTIVITIES, CRM_DEALS, CRM_QUOTAS
from vitals.generate import vocab as v
from vitals.generate.billing import annual_value_cents, subscription_start_utc
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US, US
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import NEVER, Population
from vitals.generate.records import (
    EMPTY,
    Rows,
    business_moment,
    business_sequence,
    slug_domain,
    span_start,
    unique_names,
)
from vitals.generate.window import Window

STREAM = 30
"""The generator's random stream of the CRM (see ``SeedSequence([seed, STREAM])``)."""
PIPELINE = "default"
OPEN_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
WON, LOST = "closedwon", "closedlost"
STAGES = (*OPEN_STAGES, WON, LOST)
CHANNELS = ("google_ads", "linkedin", "conferences", "referral", "organic")
"""First-touch channels of new business (the names of ``marketing_leads.channel``)."""
EXISTING_CUSTOMER = "existing_customer"
"""``source_channel`` of expansion deals of paying orgs."""
WON_SHARE = np.array([0.26, 0.16, 0.12, 0.22, 0.24])
"""Channel of won new business; referrals win far more often than their share of other deals."""
OTHER_SHARE = np.array([0.32, 0.22, 0.16, 0.08, 0.22])
"""Channel of lost and open new business."""
LOST_REASONS = ("price", "chose_competitor", "no_budget", "timing", "ehr_integration_missing")
_LOST_REASON_SHARE = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
NO_DECISION = "no_decision"
"""Reason of deals lost after going quiet for weeks."""
STALLED_DAYS = 14
_CYCLE_DAYS = np.array([24.0, 38.0, 62.0])
"""Median sales cycle of new business per plan."""
_ACTIVITY_KINDS = ("call", "email", "meeting", "note")
_ACTIVITY_SHARE = np.array([0.25, 0.45, 0.12, 0.18])
PROSPECT_WORDS: tuple[str, ...] = (
    "Brookside",
    "Hillcrest",
    "Fairview",
    "Meadowbrook",
    "Stonebridge",
    "Willow Creek",
    "Redwood",
    "Silver Lake",
    "Ashford",
    "Kingsley",
    "Highland",
    "Crescent",
)
"""First words of prospects' names (other than the orgs', so no prospect is mistaken for a customer)."""


@dataclass(frozen=True)
class Rep:
    """A sales rep (``crm_quotas`` owner)."""

    owner_id: str
    name: str
    team: str


REPS = (
    Rep("41870231", "Dana Whitfield", "new_business"),
    Rep("41870232", "Marcus Bell", "new_business"),
    Rep("41870233", "Priya Raman", "new_business"),
    Rep("41870234", "Tom Okafor", "new_business"),
    Rep("41870235", "Elena Vasquez", "account_management"),
    Rep("41870236", "Sam Lindqvist", "account_management"),
)
_NEW_BUSINESS = np.array([0, 1, 2, 3])
_ACCOUNT_MANAGERS = np.array([4, 5])


@dataclass
class Deal:
    """One deal's whole story; times are local wall-clock microseconds."""

    company: str
    domain: str
    org: int
    """Index of the org it is (or was won as); -1 for a prospect."""
    owner: int
    """Index into ``REPS``."""
    channel: str
    amount: int
    stages: list[tuple[str, int]]
    """(stage, entered at), the first at creation; ends with closedwon/closedlost once closed."""
    expected_close: int
    lost_reason: str = ""
    org_known: int = NEVER
    """When ``org_id`` is filled in (never for a prospect)."""
    stalled: bool = False
    """Went quiet: no stage change and no activity after its last open stage (until lost, if ever)."""
    deal_id: str = field(default="")

    @property
    def created(self) -> int:
        """When the deal was created."""
        return self.stages[0][1]

    @property
    def closed(self) -> int:
        """When it closed (NEVER while open)."""
        stage, at = self.stages[-1]
        return at if stage in (WON, LOST) else NEVER

    @property
    def won(self) -> bool:
        """Whether it ends won."""
        return self.stages[-1][0] == WON

    @property
    def expansion(self) -> bool:
        """Whether it sells more to a paying org."""
        return self.channel == EXISTING_CUSTOMER


@dataclass(frozen=True)
class Sales:
    """Every deal of the CRM, new business first."""

    deals: list[Deal]
    org_ids: list[str]


def _days(rng: np.random.Generator, low: float, high: float) -> int:
    """A uniform duration in whole seconds."""
    return int(rng.uniform(low, high) * DAY_US) // US * US


def _won_deal(rng: np.random.Generator, pop: Population, window: Window, org: int, start: int) -> Deal:
    """The deal that made ``org`` a customer: closed shortly before its first invoice."""
    o = pop.orgs
    signup = int(o.signup_us[org])
    plan = int(o.plan[org])
    closed = business_moment(rng, signup - _days(rng, 0.2, 4.0))
    if closed > signup - HOUR_US:
        closed = signup - int(rng.uniform(1, 3) * HOUR_US) // US * US
    if closed < start + (signup - start) // 2:  # signed up right after the CRM's start: a quick close
        closed = signup - int((signup - start) * rng.uniform(0.1, 0.4)) // US * US
    raw = closed - int(_CYCLE_DAYS[plan] * rng.lognormal(0.0, 0.35) * DAY_US)
    if raw < start:
        raw = start + int((closed - start) * rng.uniform(0.05, 0.3))
    created = business_moment(rng, raw)
    if created >= closed - 6 * MINUTE_US or created < start:
        created = raw // US * US
    steps = business_sequence(rng, created, closed, len(OPEN_STAGES) - 1)
    return Deal(
        company=o.names[org],
        domain=slug_domain(o.names[org]),
        org=org,
        owner=int(rng.choice(_NEW_BUSINESS)),
        channel=CHANNELS[int(rng.choice(len(CHANNELS), p=WON_SHARE))],
        amount=annual_value_cents(pop, window, org, plan, subscription_start_utc(pop, window, org)),
        stages=[(OPEN_STAGES[0], created), *zip(OPEN_STAGES[1:], steps, strict=True), (WON, closed)],
        expected_close=created + int(_CYCLE_DAYS[plan] * rng.uniform(0.8, 1.2) * DAY_US),
        org_known=signup + int(rng.uniform(5, 90) * MINUTE_US) // US * US,
    )


def _list_amount(rng: np.random.Generator) -> int:
    """A year of a prospect's plan at list price for its likely seats."""
    plan = int(rng.choice(len(v.PLANS), p=v.PLAN_SHARE))
    seats = max(1, round(float(v.SEAT_MEDIAN[plan]) * rng.lognormal(0.0, 0.5)))
    return seats * int(v.SEAT_PRICE_CENTS[plan]) * 12


def _walk(rng: np.random.Generator, created: int, steps: int, mean_days: float) -> list[int]:
    """Times of ``steps`` stage changes after ``created``, each some days after the last."""
    times = []
    at = created
    for _ in range(steps):
        at = max(business_moment(rng, at + int(rng.exponential(mean_days) * DAY_US) + HOUR_US), at + MINUTE_US)
        times.append(at)
    return times


def _lost_deal(rng: np.random.Generator, name: str, start: int, end: int) -> Deal:
    """A prospect lost at some stage, some after going quiet for weeks (still open at the window's end if it
    closes later)."""
    created = business_moment(rng, start + int(rng.random() * (end - 7 * DAY_US - start)))
    reached = int(rng.choice(len(OPEN_STAGES), p=[0.3, 0.25, 0.2, 0.15, 0.1]))
    steps = _walk(rng, created, reached, 7.0)
    last = steps[-1] if steps else created
    quiet = rng.random() < 0.15
    wait = _days(rng, 2 * STALLED_DAYS, 3 * STALLED_DAYS) if quiet else int(rng.exponential(7.0) * DAY_US) + HOUR_US
    reason = NO_DECISION if quiet else LOST_REASONS[int(rng.choice(len(LOST_REASONS), p=_LOST_REASON_SHARE))]
    return Deal(
        company=name,
        domain=slug_domain(name),
        org=-1,
        owner=int(rng.choice(_NEW_BUSINESS)),
        channel=CHANNELS[int(rng.choice(len(CHANNELS), p=OTHER_SHARE))],
        amount=_list_amount(rng),
        stages=[
            (OPEN_STAGES[0], created),
            *zip(OPEN_STAGES[1:], steps, strict=False),
            (LOST, max(business_moment(rng, last + wait), last + MINUTE_US)),
        ],
        expected_close=created + _days(rng, 20, 60),
        lost_reason=reason,
        stalled=quiet,
    )


def _open_deal(rng: np.random.Generator, name: str, start: int, end: int, stalled: bool) -> Deal:
    """A prospect still in the pipeline at the window's end; a stalled one went quiet weeks ago."""
    if stalled:
        last_bound = end - (STALLED_DAYS + 1) * DAY_US - _days(rng, 0, 30)
        created = max(start, business_moment(rng, last_bound - _days(rng, 3, 40)))
        steps = business_sequence(rng, created, last_bound, int(rng.integers(0, 4)))
    else:
        created = business_moment(rng, max(start, end - _days(rng, 3, 60)))
        steps = [t for t in _walk(rng, created, int(rng.integers(0, len(OPEN_STAGES))), 8.0) if t < end - HOUR_US]
    return Deal(
        company=name,
        domain=slug_domain(name),
        org=-1,
        owner=int(rng.choice(_NEW_BUSINESS)),
        channel=CHANNELS[int(rng.choice(len(CHANNELS), p=OTHER_SHARE))],
        amount=_list_amount(rng),
        stages=[(OPEN_STAGES[0], created), *zip(OPEN_STAGES[1:], steps, strict=False)],
        expected_close=created + _days(rng, 25, 70),
        stalled=stalled,
    )


def _expansion_value(pop: Population, window: Window, org: int, at_local: int) -> int:
    """A year of the next plan's extra price for the org's seats at a time."""
    at_utc = window.clock.local_to_utc(at_local)
    plan = int(pop.orgs.plan[org])
    return max(
        annual_value_cents(pop, window, org, plan + 1, at_utc, billed=99)
        - annual_value_cents(pop, window, org, plan, at_utc, billed=99),
        0,
    )


def _expansion_deals(rng: np.random.Generator, pop: Population, window: Window, start: int) -> list[Deal]:
    """Won deals before plan upgrades; open or lost upsell attempts at some other growing or steady orgs."""
    o, end = pop.orgs, window.end_local
    deals = []
    for org in range(o.n):
        signup, upgrade = int(o.signup_us[org]), int(o.upgrade_us[org])
        earliest = max(start, signup + 21 * DAY_US)
        won = upgrade != NEVER and earliest + 5 * DAY_US < upgrade < end
        tries = (
            not won
            and int(o.plan[org]) < len(v.PLANS) - 1
            and int(o.lifecycle[org]) in (v.GROWING, v.STEADY)
            and earliest < end - 10 * DAY_US
            and rng.random() < 0.3
        )
        if not (won or tries):
            continue
        if won:
            closed = max(
                min(business_moment(rng, upgrade - _days(rng, 1, 6)), upgrade - HOUR_US), earliest + 2 * DAY_US
            )
            created = max(earliest, business_moment(rng, closed - int(18 * rng.lognormal(0, 0.35) * DAY_US)))
            created = min(created, closed - DAY_US)
            steps = business_sequence(rng, created, closed, len(OPEN_STAGES) - 1)
            stages = [(OPEN_STAGES[0], created), *zip(OPEN_STAGES[1:], steps, strict=True), (WON, closed)]
            reason = ""
        else:
            created = business_moment(rng, earliest + int(rng.random() * (end - 10 * DAY_US - earliest)))
            steps = _walk(rng, created, int(rng.integers(1, len(OPEN_STAGES))), 7.0)
            lost = rng.random() < 0.45
            stages = [(OPEN_STAGES[0], created), *zip(OPEN_STAGES[1:], steps[:-1] if lost else steps, strict=False)]
            stages = [s for s in stages if s[1] < end - HOUR_US]
            if lost:
                stages.append((LOST, steps[-1]))
            reason = str(rng.choice(["no_budget", "timing", "price"])) if lost else ""
        deals.append(
            Deal(
                company=o.names[org],
                domain=slug_domain(o.names[org]),
                org=org,
                owner=int(rng.choice(_ACCOUNT_MANAGERS)),
                channel=EXISTING_CUSTOMER,
                amount=_expansion_value(pop, window, org, created),
                stages=stages,
                expected_close=created + _days(rng, 14, 40),
                lost_reason=reason,
                org_known=created,
            )
        )
    return deals


def plan_sales(pop: Population, window: Window, seed: int) -> Sales:
    """Every deal: new business won by the orgs that signed up in the CRM's span, lost and open prospects
    (about two lost and one open per won), stalled ones among the open, and expansions."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM]))
    o = pop.orgs
    start, end = span_start(window), window.end_local
    deals = [_won_deal(rng, pop, window, org, start) for org in range(o.n) if start <= int(o.signup_us[org]) < end]
    scale = max(len(deals), 3)
    n_lost = int(rng.poisson(2.0 * scale))
    n_open = max(int(rng.poisson(0.75 * scale)), 2)
    n_stalled = max(int(rng.poisson(0.25 * scale)), 1)
    names = iter(unique_names(rng, PROSPECT_WORDS, v.ORG_WORDS_B, n_lost + n_open + n_stalled))
    deals += [_lost_deal(rng, next(names), start, end) for _ in range(n_lost)]
    deals += [_open_deal(rng, next(names), start, end, stalled=False) for _ in range(n_open)]
    deals += [_open_deal(rng, next(names), start, end, stalled=True) for _ in range(n_stalled)]
    deals += _expansion_deals(rng, pop, window, start)
    for deal, deal_id in zip(deals, hex_ids(rng, len(deals), 16, prefix="deal_").to_pylist(), strict=True):
        deal.deal_id = deal_id
    return Sales(deals=deals, org_ids=o.ids.to_pylist())


def render_deals(sales: Sales, window: Window, seed: int) -> pa.Table:
    """A version of each deal per stage change, and one when a won company's org id becomes known."""
    rows = Rows(CRM_DEALS, times=("created_at", "closed_at", "updated_at"), days=("expected_close_date",))
    for deal in sales.deals:
        versions = list(deal.stages)
        if deal.org_known not in {at for _, at in versions} and deal.org_known < NEVER:
            versions.append((versions[-1][0], deal.org_known))
        for stage, at in sorted(versions, key=lambda version: version[1]):
            closed = stage in (WON, LOST)
            rows.add(
                deal_id=deal.deal_id,
                org_id=sales.org_ids[deal.org] if at >= deal.org_known else "",
                company_name=deal.company,
                company_domain=deal.domain,
                owner_id=REPS[deal.owner].owner_id,
                pipeline=PIPELINE,
                stage=stage,
                amount_cents=deal.amount,
                currency="usd",
                created_at=deal.created,
                expected_close_date=deal.closed if closed else deal.expected_close,
                closed_at=deal.closed if closed else EMPTY,
                is_won=("true" if stage == WON else "false") if closed else "",
                lost_reason=deal.lost_reason if stage == LOST else "",
                source_channel=deal.channel,
                updated_at=at,
                _ingest_source="hubspot",
                _ingest_ts=at,
            )
    return rows.table(window, "updated_at", np.random.default_rng(np.random.SeedSequence([seed, STREAM, 1])))


def _activity_times(rng: np.random.Generator, deal: Deal, end: int) -> list[tuple[int, str]]:
    """When the owner worked the deal, and how: from its creation until it closed, went quiet or the window
    ended; an email right after creation, a meeting when the presentation is scheduled."""
    stop = min(deal.closed, end)
    if deal.stalled:
        stop = max(at for stage, at in deal.stages if stage in OPEN_STAGES) + MINUTE_US
    rate = 0.6 if deal.stalled else 1.0 if deal.expansion else 1.6
    count = int(rng.poisson(rate * (stop - deal.created) / (7 * DAY_US)))
    kinds = rng.choice(len(_ACTIVITY_KINDS), count + 1, p=_ACTIVITY_SHARE).tolist()
    times = [(deal.created + MINUTE_US * int(rng.integers(5, 90)), "email")]
    times += [
        (business_moment(rng, deal.created + int(u * (stop - deal.created))), _ACTIVITY_KINDS[k])
        for u, k in zip(rng.random(count).tolist(), kinds[:count], strict=True)
    ]
    times += [(at + _days(rng, 0, 2), "meeting") for stage, at in deal.stages if stage == "presentationscheduled"]
    if deal.closed >= end and not deal.stalled:  # open and worked: touched within the last few days
        times.append(
            (max(deal.created + MINUTE_US, end - int(rng.uniform(1, 96) * HOUR_US)), _ACTIVITY_KINDS[kinds[-1]])
        )
    return sorted((t // US * US, kind) for t, kind in times if deal.created <= t < stop)


def render_activities(sales: Sales, window: Window, seed: int) -> pa.Table:
    """Calls, emails, meetings and notes of each deal's owner (fewer on expansions, few on stalled deals)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, 2]))
    rows = Rows(CRM_ACTIVITIES, times=("occurred_at",))
    for deal in sales.deals:
        org_id = sales.org_ids[deal.org] if deal.org_known < window.end_local else ""
        for at, kind in _activity_times(rng, deal, window.end_local):
            rows.add(
                activity_id="",
                deal_id=deal.deal_id,
                org_id=org_id,
                owner_id=REPS[deal.owner].owner_id,
                kind=kind,
                occurred_at=at,
                _ingest_source="hubspot",
                _ingest_ts=at,
            )
    ids = hex_ids(rng, len(rows.values["activity_id"]), 16, prefix="act_").to_pylist()
    rows.values["activity_id"] = list(ids)
    return rows.table(window, "occurred_at", rng)


def _months(window: Window) -> list[int]:
    """Local midnights of the first day of every month from the CRM's start to the window's last day."""
    first = np.datetime64(span_start(window) // DAY_US, "D").astype("datetime64[M]")
    last = np.datetime64(window.last_day, "M")
    months = np.arange(first, last + 1).astype("datetime64[D]").astype(np.int64)
    return [int(day) * DAY_US for day in months.tolist()]


def render_quotas(sales: Sales, window: Window, seed: int) -> pa.Table:
    """A monthly quota per rep: a share of what the team wins in an average month, a little above it."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, 3]))
    months = _months(window)
    team_won = {"new_business": 0, "account_management": 0}
    for deal in sales.deals:
        if deal.won:
            team_won[REPS[deal.owner].team] += deal.amount
    floor = {"new_business": 1_000_000, "account_management": 300_000}
    rows = Rows(CRM_QUOTAS, times=(), days=("month",))
    for rep in REPS:
        members = sum(r.team == rep.team for r in REPS)
        typical = team_won[rep.team] / len(months) / members * rng.uniform(1.05, 1.3)
        quota = max(round(typical / 100_000) * 100_000, floor[rep.team])
        for month in months:
            rows.add(
                owner_id=rep.owner_id,
                owner_name=rep.name,
                team=rep.team,
                month=month,
                quota_cents=quota,
                currency="usd",
                _ingest_source="sales_plan",
                _ingest_ts=month,
            )
    return rows.table(window, "month", rng)
