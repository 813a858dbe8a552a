"""Generated CRM: won deals are the orgs that start paying, stage histories run forward in time, some open deals
are stalled, activities belong to their deals, and every rep has a quota each month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

import duckdb
import pytest

from vitals.generate import GenerateResult
from vitals.generate.crm import EXISTING_CUSTOMER, LOST, OPEN_STAGES, REPS, STALLED_DAYS, WON
from vitals.generate.records import CRM_LEAD_IN_DAYS

from .conftest import connect

PAYS_WITHIN = timedelta(days=5)
"""A won deal's org starts its subscription at most this long after the deal closed."""
PAID_WITHIN = timedelta(days=21)
"""...and pays its first invoice within this long (cards at once, bank transfers within 12 days)."""


@pytest.fixture(scope="module")
def crm(wide: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(wide)
    con.execute("set TimeZone = 'UTC'")
    con.execute(
        """
        create temp view deals as
        select
            deal_id, nullif(org_id, '') as org_id, owner_id, pipeline, stage, amount_cents::bigint as amount,
            currency, created_at::timestamptz as created, nullif(closed_at, '')::timestamptz as closed,
            coalesce(is_won, '') as is_won, coalesce(lost_reason, '') as lost_reason, source_channel,
            updated_at::timestamptz as updated
        from crm_deals
        """
    )
    con.execute(
        "create temp view current_deals as select * from deals "
        "qualify row_number() over (partition by deal_id order by updated desc) = 1"
    )
    con.execute(
        """
        create temp view first_invoices as
        select
            lower(trim(org_id)) as org,
            min(cast(period_start as timestamptz)) as starts,
            arg_min(mrr_cents::bigint, cast(period_start as timestamptz)) as mrr,
            min(cast(nullif(paid_at, '') as timestamptz)) as paid
        from b where status <> 'void' group by 1
        """
    )
    yield con
    con.close()


def test_won_deals_are_the_orgs_that_start_paying(crm: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    won = crm.sql(
        f"""
        select d.deal_id, d.org_id, d.closed, d.amount, f.starts, f.mrr, f.paid
        from current_deals as d left join first_invoices as f on f.org = d.org_id
        where d.is_won = 'true' and d.source_channel <> '{EXISTING_CUSTOMER}'
        """
    ).fetchall()
    assert len(won) >= 5
    for deal_id, org_id, closed, amount, starts, mrr, paid in won:
        assert org_id is not None and starts is not None, deal_id
        assert closed < starts <= closed + PAYS_WITHIN, (deal_id, closed, starts)
        assert paid is None or paid <= closed + PAID_WITHIN, (deal_id, closed, paid)
        assert abs(amount - 12 * mrr) <= 12, "a year of the first subscription"
    assert len({row[1] for row in won}) == len(won), "one won new-business deal per org"
    crm_start = wide.window_start - timedelta(days=CRM_LEAD_IN_DAYS - 1)
    newer = {org for org, starts in crm.sql("select org, starts from first_invoices").fetchall() if starts > crm_start}
    assert newer <= {row[1] for row in won}, "every org that signed up since the CRM started was won"


def test_org_id_is_empty_while_a_prospect(crm: duckdb.DuckDBPyConnection) -> None:
    rows = crm.sql(
        f"""
        select deal_id, bool_or(org_id is null and stage = '{WON}'), count(distinct org_id), max(source_channel)
        from deals where deal_id in (select deal_id from current_deals where is_won = 'true') group by 1
        """
    ).fetchall()
    for deal_id, prospect_when_won, orgs, channel in rows:
        assert orgs == 1, deal_id
        assert prospect_when_won == (channel != EXISTING_CUSTOMER), "new business gets its org id after the close"
    lost_or_open = crm.sql("select count(*) from current_deals where is_won <> 'true' and org_id is null")
    assert lost_or_open.fetchone() != (0,)


def test_stage_history_runs_forward(crm: duckdb.DuckDBPyConnection) -> None:
    order = {stage: i for i, stage in enumerate(OPEN_STAGES)} | {WON: len(OPEN_STAGES), LOST: len(OPEN_STAGES)}
    versions: dict[str, list[tuple]] = defaultdict(list)
    for row in crm.sql(
        "select deal_id, stage, updated, created, closed, is_won, lost_reason, pipeline, currency, amount "
        "from deals order by deal_id, updated"
    ).fetchall():
        versions[row[0]].append(row[1:])
    assert len(versions) >= 20
    for deal_id, history in versions.items():
        stages = [order[h[0]] for h in history]
        times = [h[1] for h in history]
        assert stages == sorted(stages), (deal_id, [h[0] for h in history])
        assert times == sorted(set(times)), deal_id
        assert history[0][0] == OPEN_STAGES[0] and history[0][2] == history[0][1], "created in the first stage"
        assert len({(h[2], h[6], h[7], h[8]) for h in history}) == 1, "created_at, pipeline, currency, amount stay"
        assert {h[6] for h in history} == {"default"} and {h[7] for h in history} == {"usd"}
        for stage, updated, _, closed, is_won, lost_reason, *_ in history:
            if stage in (WON, LOST):
                first_closed = next(h[1] for h in history if h[0] == stage)
                assert closed == first_closed and is_won == ("true" if stage == WON else "false"), deal_id
                assert (lost_reason != "") == (stage == LOST), deal_id
            else:
                assert closed is None and is_won == "" and lost_reason == "", deal_id
            assert updated >= history[0][2]


def test_some_open_deals_are_stalled(crm: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    end = wide.window_end
    rows = crm.sql(
        """
        with open_deals as (select deal_id, stage, created from current_deals where closed is null),
        changed as (
            select d.deal_id, min(d.updated) as at
            from deals as d join open_deals as o on o.deal_id = d.deal_id and o.stage = d.stage
            group by 1
        ),
        worked as (
            select deal_id, max(occurred_at::timestamptz) as at, count(*) as n from crm_activities group by 1
        )
        select o.deal_id, c.at, w.at, coalesce(w.n, 0), o.created
        from open_deals as o join changed as c using (deal_id) left join worked as w using (deal_id)
        """
    ).fetchall()
    quiet_since = end - timedelta(days=STALLED_DAYS)
    stalled = [r for r in rows if r[1] < quiet_since and (r[2] is None or r[2] < quiet_since)]
    active = [r for r in rows if r not in stalled]
    assert stalled and active, "open deals: some stalled, most worked"

    def per_week(deals: list[tuple[str, datetime, datetime | None, int, datetime]]) -> float:
        return sum(r[3] for r in deals) / sum((end - r[4]).total_seconds() / 604_800 for r in deals)

    assert per_week(stalled) < per_week(active), "fewer activities on stalled deals"


def test_activities_belong_to_their_deals(crm: duckdb.DuckDBPyConnection) -> None:
    rows = crm.sql(
        """
        select a.kind, a.occurred_at::timestamptz >= d.created, nullif(a.org_id, '') is not distinct from d.org_id,
            a.owner_id = d.owner_id
        from crm_activities as a join current_deals as d using (deal_id)
        """
    ).fetchall()
    total = crm.sql("select count(*) from crm_activities").fetchone()
    assert total is not None and len(rows) == total[0] > 50
    assert {r[0] for r in rows} == {"call", "email", "meeting", "note"}
    assert all(r[1] and r[2] and r[3] for r in rows)


def test_every_rep_has_a_quota_each_month(crm: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    rows = crm.sql("select owner_id, owner_name, team, month, quota_cents::bigint, currency from crm_quotas").fetchall()
    months = sorted({r[3] for r in rows})
    assert all(m.endswith("-01") for m in months) and months[-1] == (wide.window_end - timedelta(days=1)).strftime(
        "%Y-%m-01"
    )
    assert len(rows) == len(REPS) * len(months) and len(months) >= 6
    assert {r[0] for r in rows} == {rep.owner_id for rep in REPS}
    assert all(r[4] > 0 and r[5] == "usd" for r in rows)
    owners = crm.sql("select distinct owner_id from crm_deals").fetchall()
    assert {o[0] for o in owners} <= {rep.owner_id for rep in REPS}
