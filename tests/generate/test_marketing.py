"""Generated leads and spend: every new-business deal grew from a lead of its channel, a won org's first touch is
that lead, the funnel runs forward at channel-specific rates, and spend is daily with a cost per customer that
differs by channel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise

import duckdb
import pytest

from vitals.generate import GenerateResult
from vitals.generate.crm import CHANNELS, EXISTING_CUSTOMER
from vitals.generate.marketing import CHANNEL_TRAITS
from vitals.generate.records import CRM_LEAD_IN_DAYS

from .conftest import connect


@pytest.fixture(scope="module")
def mkt(wide: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(wide)
    con.execute(
        """
        create temp view leads as
        select
            lead_id, created_at::timestamp as created, nullif(mql_at, '')::timestamp as mql,
            nullif(sql_at, '')::timestamp as sql, nullif(deal_id, '') as deal_id, nullif(org_id, '') as org_id,
            channel, campaign, company_domain, updated_at::timestamp as updated
        from marketing_leads
        """
    )
    con.execute(
        "create temp view current_leads as select * from leads "
        "qualify row_number() over (partition by lead_id order by updated desc) = 1"
    )
    con.execute(
        "create temp view current_deals as select * from crm_deals "
        "qualify row_number() over (partition by deal_id order by updated_at::timestamp desc) = 1"
    )
    yield con
    con.close()


def test_every_new_business_deal_has_its_lead(mkt: duckdb.DuckDBPyConnection) -> None:
    rows = mkt.sql(
        f"""
        select d.deal_id, d.source_channel, d.company_domain, d.created_at::timestamp, l.channel, l.company_domain,
            l.sql, l.mql, l.created
        from current_deals as d left join current_leads as l using (deal_id)
        where d.source_channel <> '{EXISTING_CUSTOMER}'
        """
    ).fetchall()
    assert len(rows) >= 30
    assert len({r[0] for r in rows}) == len(rows), "one lead per deal"
    for deal_id, channel, domain, created, lead_channel, lead_domain, sql, mql, lead_created in rows:
        assert (lead_channel, lead_domain) == (channel, domain), deal_id
        assert sql == created and lead_created < mql < sql, deal_id
    expansions = mkt.sql(
        f"select count(*) from current_leads where deal_id in "
        f"(select deal_id from current_deals where source_channel = '{EXISTING_CUSTOMER}')"
    )
    assert expansions.fetchone() == (0,)


def test_a_won_orgs_first_touch_is_the_channel_of_its_deal(mkt: duckdb.DuckDBPyConnection) -> None:
    rows = mkt.sql(
        f"""
        with first_touch as (
            select org_id, arg_min(channel, created) as channel, arg_min(deal_id, created) as deal_id, count(*) as n
            from current_leads where org_id is not null group by 1
        )
        select d.deal_id, d.source_channel, f.channel, f.deal_id, f.n
        from current_deals as d left join first_touch as f on f.org_id = nullif(d.org_id, '')
        where d.is_won = 'true' and d.source_channel <> '{EXISTING_CUSTOMER}'
        """
    ).fetchall()
    assert len(rows) >= 5
    for deal_id, channel, first_channel, first_deal, _ in rows:
        assert (first_channel, first_deal) == (channel, deal_id)
    orgs = mkt.sql("select count(distinct org_id) from current_leads where org_id is not null").fetchone()
    assert orgs == (len(rows),), "only won orgs' leads carry an org id"


def test_the_funnel_runs_forward_at_channel_rates(mkt: duckdb.DuckDBPyConnection) -> None:
    bad = mkt.sql(
        "select count(*) from current_leads where mql < created or sql < mql or (sql is not null and mql is null)"
    )
    assert bad.fetchone() == (0,)
    versions: dict[str, list[tuple]] = defaultdict(list)
    for row in mkt.sql("select lead_id, updated, mql, sql, deal_id, org_id from leads order by 1, 2").fetchall():
        versions[row[0]].append(row[1:])
    for lead_id, history in versions.items():
        for (updated, *fields), (_, *later) in pairwise(history):
            assert all(f is None or f == g for f, g in zip(fields, later, strict=True)), lead_id
            assert all(f is None or not hasattr(f, "year") or f <= updated for f in fields), lead_id
    rates = dict(
        mkt.sql(
            "select channel, count(sql) / count(*) from current_leads group by 1",
        ).fetchall()
    )
    assert set(rates) == set(CHANNELS)
    assert rates["referral"] > rates["conferences"] > rates["google_ads"]
    campaigns = mkt.sql("select distinct channel, campaign from current_leads").fetchall()
    assert all(campaign in CHANNEL_TRAITS[channel].campaigns for channel, campaign in campaigns)


def test_spend_is_daily_and_costs_differ_by_channel(mkt: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    rows = mkt.sql(
        "select channel, campaign, spend_date, spend_cents::bigint, currency from marketing_spend"
    ).fetchall()
    assert all(r[3] > 0 and r[4] == "usd" for r in rows)
    assert all(r[1] in CHANNEL_TRAITS[r[0]].campaigns for r in rows)
    days = sorted({r[2] for r in rows})
    last = (wide.window_end - timedelta(days=1)).date().isoformat()
    first = (wide.window_start - timedelta(days=CRM_LEAD_IN_DAYS - 1)).date().isoformat()
    assert days[-1] == last and days[0] <= first
    total: dict[str, int] = defaultdict(int)
    active_days: dict[str, set[str]] = defaultdict(set)
    for channel, _, day, cents, _ in rows:
        total[channel] += cents
        active_days[channel].add(day)
    assert set(total) == set(CHANNELS)
    assert len(active_days["google_ads"]) == len(days), "ads spend every day"
    assert len(active_days["conferences"]) < len(days) / 4, "conferences spend around their event days"
    assert total["conferences"] > total["google_ads"] > total["referral"]
