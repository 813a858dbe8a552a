"""Generated retention campaigns: sent to at-risk orgs, steps in order, and outcomes that match what the orgs do
in the generated events and invoices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

import duckdb
import pytest

from vitals.generate import GenerateResult
from vitals.generate import vocab as v
from vitals.generate.campaigns import render_campaigns
from vitals.generate.orgs import build_population
from vitals.generate.support import troubled
from vitals.generate.window import Window

from .conftest import END, connect

STEPS = ("started_at", "sent_at", "opened_at", "clicked_at", "responded_at")
CREATION = "('org_created', 'org_signup', 'provider_created')"


@pytest.fixture(scope="module")
def reach(wide: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(wide)
    steps = ", ".join(f"nullif({s}, '')::timestamp as {s}" for s in STEPS)
    con.execute(
        f"""
        create temp view campaigns as
        select campaign_id, org_id, kind, channel, {steps}, coalesce(outcome, '') as outcome,
            updated_at::timestamp as updated
        from retention_campaigns
        """
    )
    con.execute(
        "create temp view current_campaigns as select * from campaigns "
        "qualify row_number() over (partition by campaign_id order by updated desc) = 1"
    )
    yield con
    con.close()


def test_steps_happen_in_order(reach: duckdb.DuckDBPyConnection) -> None:
    versions: dict[str, list[tuple]] = defaultdict(list)
    columns = ", ".join(STEPS)
    for row in reach.sql(f"select campaign_id, updated, outcome, {columns} from campaigns order by 1, 2").fetchall():
        versions[row[0]].append(row[1:])
    assert len(versions) >= 8
    for campaign_id, history in versions.items():
        for updated, _, started, sent, opened, clicked, responded in history:
            assert started is not None and started <= updated, campaign_id
            assert (sent or updated) >= started and (opened or updated) >= (sent or started), campaign_id
            assert clicked is None or (opened is not None and clicked >= opened), campaign_id
            assert responded is None or (opened is not None and responded >= (clicked or opened)), campaign_id
            assert all(s is None or s <= updated for s in (sent, opened, clicked, responded)), campaign_id
        outcomes = [h[1] for h in history]
        assert all(o == "" for o in outcomes[:-1]), "the outcome comes last"


def test_outcomes_match_what_the_orgs_do(reach: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    recent = (wide.window_end - timedelta(days=10)).replace(tzinfo=None)
    rows = reach.sql(
        f"""
        with active as (
            select lower(trim(org_id)) as org_id, max(occurred_at::timestamptz::timestamp) as last_seen
            from e where event_name not in {CREATION} group by 1
        ),
        churned as (select distinct lower(trim(org_id)) as org_id from b where churn_flag = 'true')
        select c.kind, c.outcome, a.last_seen, ch.org_id is not null
        from current_campaigns as c left join active as a using (org_id) left join churned as ch using (org_id)
        """
    ).fetchall()
    outcomes = {r[1] for r in rows}
    assert {"recovered", "churned"} <= outcomes
    for kind, outcome, last_seen, has_churned in rows:
        if outcome == "recovered":
            assert last_seen is not None and last_seen >= recent, "recovered orgs keep working"
        if outcome == "churned":
            assert has_churned and kind in ("win_back", "check_in", "renewal")


def test_campaigns_go_to_at_risk_orgs() -> None:
    window = Window.build(END, 90, "America/Los_Angeles")
    pop = build_population(11, window, 60)
    table = render_campaigns(pop, window, 11)
    org_index = {org_id: i for i, org_id in enumerate(pop.orgs.ids.to_pylist())}
    trouble = troubled(pop)
    final: dict[str, tuple[int, str, str]] = {}
    for campaign_id, org_id, kind, outcome in zip(
        *(table.column(c).to_pylist() for c in ("campaign_id", "org_id", "kind", "outcome")), strict=True
    ):
        final[campaign_id] = (org_index[org_id], kind, outcome)
    assert len(final) >= 10
    for org, kind, outcome in final.values():
        life = int(pop.orgs.lifecycle[org])
        assert life in (v.DECLINING, v.CHURNED, v.RETURNING) or trouble[org]
        if outcome == "recovered":
            assert life in (v.GROWING, v.STEADY, v.RETURNING), "recovered orgs are those whose activity goes on"
        if outcome == "churned":
            assert life in (v.CHURNED, v.RETURNING)
        if kind == "win_back":
            assert life in (v.CHURNED, v.RETURNING)
    assert {kind for _, kind, _ in final.values()} == {"win_back", "training", "check_in", "renewal"}
