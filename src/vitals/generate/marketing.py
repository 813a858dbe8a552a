"""``marketing_leads`` and ``marketing_spend``: first touches per channel and campaign, and what they cost.

Every new-business deal grew from a lead of its ``source_channel``: created days to weeks before the deal,
marketing-qualified in between, sales-qualified (with the deal's id) when the deal was created, and given
the org's id once a won deal's org exists. A fifth of won companies came in again later through another
channel (a second lead of the company, never its first touch). Leads that went no further are drawn per
channel at its conversion rates (referrals qualify most often). Spend is daily per channel and campaign
over the CRM's span, sized so that the cost per won customer differs by channel (referrals cheap,
conferences dear); conference spend falls on the days of each event, whose leads come in over the days
after it. Drawn from its own random stream (``[seed, STREAM]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from vitals.contracts import MARKETING_LEADS, MARKETING_SPEND
from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US, US
from vitals.generate.crm import CHANNELS, PROSPECT_WORDS, WON_SHARE, Deal, Sales
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import NEVER
from vitals.generate.records import EMPTY, Rows, business_moment, slug_domain, span_start, unique_names
from vitals.generate.window import Window

STREAM = 31
"""The generator's random stream of leads and spend (see ``SeedSequence([seed, STREAM])``)."""


@dataclass(frozen=True)
class Channel:
    """A marketing channel: its campaigns, conversion rates and cost per won customer."""

    campaigns: tuple[str, ...]
    mql_rate: float
    """Share of its leads that become marketing-qualified."""
    sql_rate: float
    """Share of its marketing-qualified leads that become sales-qualified (a deal)."""
    cac_cents: int
    """Spend per won customer."""


CHANNEL_TRAITS = {
    "google_ads": Channel(("search_ai_scribe", "search_competitor_terms"), 0.30, 0.25, 650_000),
    "linkedin": Channel(("linkedin_practice_managers", "linkedin_physician_leaders"), 0.28, 0.22, 950_000),
    "conferences": Channel(
        ("health_it_summit", "family_medicine_expo", "practice_leaders_forum"), 0.45, 0.30, 1_800_000
    ),
    "referral": Channel(("customer_referral_program",), 0.75, 0.60, 90_000),
    "organic": Channel(("seo_blog", "webinar_series"), 0.40, 0.35, 220_000),
}
"""Per channel of ``crm.CHANNELS``."""
SECOND_TOUCH_RATE = 0.2
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com")
PERSONAL_RATE = 0.12
"""Share of unqualified leads who signed up with a personal address."""
SPEND_SOURCES = {"google_ads": "google_ads_api", "linkedin": "linkedin_ads_api"}
"""``_ingest_source`` of spend per channel (others come from the finance sheet)."""


@dataclass(frozen=True)
class Lead:
    """One lead's story; times are local wall-clock microseconds (EMPTY when it never happens)."""

    created: int
    domain: str
    channel: str
    campaign: str
    mql: int = EMPTY
    sql: int = EMPTY
    deal_id: str = ""
    deal_at: int = NEVER
    org_id: str = ""
    org_at: int = NEVER


def conference_days(window: Window, seed: int) -> list[tuple[int, str]]:
    """(local midnight, campaign) of each conference in the CRM's span: one every five to seven weeks."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, 2]))
    campaigns = CHANNEL_TRAITS["conferences"].campaigns
    out: list[tuple[int, str]] = []
    at = span_start(window) + int(rng.integers(7, 21)) * DAY_US
    while at < window.end_local - DAY_US:
        out.append((at, campaigns[len(out) % len(campaigns)]))
        at += int(rng.integers(35, 50)) * DAY_US
    return out


def _touch(
    rng: np.random.Generator, channel: str, low: int, high: int, events: list[tuple[int, str]]
) -> tuple[int, str]:
    """When and through which campaign a lead of ``channel`` came in, between ``low`` and ``high``: for
    conferences, in the days after the latest event in that range."""
    if channel == "conferences":
        held = [(day, name) for day, name in events if low <= day and day + 3 * DAY_US < high]
        if held:
            day, name = held[-1] if rng.random() < 0.7 else held[int(rng.integers(0, len(held)))]
            return business_moment(rng, day + int(rng.integers(0, 3)) * DAY_US), name
    campaigns = CHANNEL_TRAITS[channel].campaigns
    at = business_moment(rng, low + int(rng.random() * (high - low)))
    return min(at, high - MINUTE_US), campaigns[int(rng.integers(0, len(campaigns)))]


def _deal_leads(
    rng: np.random.Generator, deal: Deal, sales: Sales, start: int, events: list[tuple[int, str]]
) -> list[Lead]:
    """The first-touch lead of a new-business deal, and sometimes a later second touch of a won one."""
    low = max(start, deal.created - int(rng.uniform(5, 40) * DAY_US))
    created, campaign = _touch(rng, deal.channel, low, deal.created - HOUR_US, events)
    created = min(max(created, start), deal.created - HOUR_US) // US * US
    org_id = sales.org_ids[deal.org] if deal.won else ""
    lead = Lead(
        created=created,
        domain=deal.domain,
        channel=deal.channel,
        campaign=campaign,
        mql=created + int((deal.created - created) * rng.uniform(0.1, 0.7)) // US * US,
        sql=deal.created,
        deal_id=deal.deal_id,
        deal_at=deal.created,
        org_id=org_id,
        org_at=deal.org_known if deal.won else NEVER,
    )
    leads = [lead]
    if deal.won and rng.random() < SECOND_TOUCH_RATE and deal.closed - created > 2 * DAY_US:
        other = [c for c in CHANNELS if c != deal.channel and c != "conferences"]
        channel = other[int(rng.integers(0, len(other)))]
        again, campaign = _touch(rng, channel, created + DAY_US, deal.closed, events)
        mql = again + int(rng.uniform(1, 48) * HOUR_US) if rng.random() < 0.5 else EMPTY
        leads.append(Lead(again, deal.domain, channel, campaign, mql=mql, org_id=org_id, org_at=deal.org_known))
    return leads


def _other_leads(rng: np.random.Generator, window: Window, sales: Sales, events: list[tuple[int, str]]) -> list[Lead]:
    """Leads that never became deals: about as many per channel as its conversion rates imply."""
    start, end = span_start(window), window.end_local
    leads = []
    for channel in CHANNELS:
        traits = CHANNEL_TRAITS[channel]
        sql = 1 + sum(d.channel == channel for d in sales.deals)
        mql_only = int(rng.poisson(sql * (1 / traits.sql_rate - 1)))
        unqualified = int(rng.poisson((sql + mql_only) * (1 / traits.mql_rate - 1)))
        names = unique_names(rng, PROSPECT_WORDS, v.ORG_WORDS_B, mql_only + unqualified)
        for k, name in enumerate(names):
            created, campaign = _touch(rng, channel, start, end - HOUR_US, events)
            personal = k >= mql_only and rng.random() < PERSONAL_RATE
            domain = PERSONAL_DOMAINS[int(rng.integers(0, len(PERSONAL_DOMAINS)))] if personal else slug_domain(name)
            mql = created + int(rng.exponential(3.0) * DAY_US + HOUR_US) // US * US if k < mql_only else EMPTY
            leads.append(Lead(created, domain, channel, campaign, mql=mql))
    return leads


def render_leads(sales: Sales, window: Window, seed: int) -> pa.Table:
    """A version of each lead when it came in, was qualified, got its deal and got its org."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM]))
    start, events = span_start(window), conference_days(window, seed)
    leads = [
        lead for deal in sales.deals if not deal.expansion for lead in _deal_leads(rng, deal, sales, start, events)
    ]
    leads += _other_leads(rng, window, sales, events)
    ids = hex_ids(rng, len(leads), 16, prefix="lead_").to_pylist()
    rows = Rows(MARKETING_LEADS, times=("created_at", "mql_at", "sql_at", "updated_at"))
    for lead_id, lead in zip(ids, leads, strict=True):
        changes = sorted({t for t in (lead.created, lead.mql, lead.sql, lead.deal_at, lead.org_at) if 0 <= t < NEVER})
        for at in changes:
            rows.add(
                lead_id=lead_id,
                created_at=lead.created,
                company_domain=lead.domain,
                channel=lead.channel,
                campaign=lead.campaign,
                mql_at=lead.mql if 0 <= lead.mql <= at else EMPTY,
                sql_at=lead.sql if 0 <= lead.sql <= at else EMPTY,
                deal_id=lead.deal_id if lead.deal_at <= at else "",
                org_id=lead.org_id if lead.org_at <= at else "",
                updated_at=at,
                _ingest_source="hubspot",
                _ingest_ts=at,
            )
    return rows.table(window, "updated_at", rng)


def render_spend(sales: Sales, window: Window, seed: int) -> pa.Table:
    """Daily spend per channel and campaign: each channel's cost per won customer times the customers it is
    expected to win; ads spend less on weekends, conferences spend around their event days."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, 1]))
    start = span_start(window)
    days = np.arange(start, window.end_local, DAY_US, dtype=np.int64)
    weekend = ((days // DAY_US + 3) % 7) >= 5
    won = max(sum(d.won and not d.expansion for d in sales.deals), 1)
    events = conference_days(window, seed)
    spend: dict[tuple[str, str], np.ndarray] = {}
    for channel, share in zip(CHANNELS, WON_SHARE.tolist(), strict=True):
        traits = CHANNEL_TRAITS[channel]
        total = traits.cac_cents * won * share
        if channel == "conferences":
            for day, campaign in events:
                near = np.abs(days - day) <= DAY_US
                spend[(channel, campaign)] = spend.get((channel, campaign), np.zeros(len(days))) + near * (
                    total / len(events) / 3 * rng.lognormal(0.0, 0.2)
                )
            continue
        pace = np.where(weekend, 0.5 if channel in SPEND_SOURCES else 1.0, 1.0) * rng.lognormal(0.0, 0.25, len(days))
        weights = rng.dirichlet(np.full(len(traits.campaigns), 4.0))
        for campaign, weight in zip(traits.campaigns, weights.tolist(), strict=True):
            spend[(channel, campaign)] = total * weight * pace / pace.sum()
    rows = Rows(MARKETING_SPEND, times=(), days=("spend_date",))
    for i, day in enumerate(days.tolist()):
        for (channel, campaign), amounts in spend.items():
            cents = round(float(amounts[i]))
            if cents > 0:
                rows.add(
                    spend_date=day,
                    channel=channel,
                    campaign=campaign,
                    spend_cents=cents,
                    currency="usd",
                    _ingest_source=SPEND_SOURCES.get(channel, "finance_sheet"),
                    _ingest_ts=day + DAY_US + 6 * HOUR_US,
                )
    return rows.table(window, "spend_date", rng)
