"""Generated support tickets: versions at creation, first response and resolution, in order; a realistic spread
with some SLA misses; providers of the ticket's org; more tickets and lower ratings where an org struggles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

import duckdb
import numpy as np
import pytest

from vitals.contracts import TICKET_PRIORITIES
from vitals.generate import GenerateResult
from vitals.generate import vocab as v
from vitals.generate.clock import DAY_US
from vitals.generate.orgs import build_population
from vitals.generate.support import SLA_FIRST_RESPONSE_HOURS, render_tickets, troubled
from vitals.generate.window import Window

from .conftest import END, connect

STATUS_ORDER = {"new": 0, "open": 1, "pending": 1, "solved": 2, "closed": 3}


@pytest.fixture(scope="module")
def desk(wide: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(wide)
    con.execute(
        """
        create temp view tickets as
        select
            ticket_id, org_id, nullif(provider_id, '') as provider_id, created_at::timestamp as created,
            nullif(first_response_at, '')::timestamp as responded, nullif(resolved_at, '')::timestamp as resolved,
            status, priority, channel, category, nullif(csat_score, '')::int as csat, escalated,
            updated_at::timestamp as updated
        from support_tickets
        """
    )
    con.execute(
        "create temp view current_tickets as select * from tickets "
        "qualify row_number() over (partition by ticket_id order by updated desc) = 1"
    )
    yield con
    con.close()


def test_versions_follow_the_ticket(desk: duckdb.DuckDBPyConnection) -> None:
    versions: dict[str, list[tuple]] = defaultdict(list)
    for row in desk.sql(
        "select ticket_id, updated, status, created, responded, resolved, csat, escalated from tickets order by 1, 2"
    ).fetchall():
        versions[row[0]].append(row[1:])
    assert len(versions) >= 100
    for ticket_id, history in versions.items():
        assert [STATUS_ORDER[h[1]] for h in history] == list(range(len(history))), ticket_id
        updated, status, created, *_ = history[0]
        assert status == "new" and updated == created, ticket_id
        for updated, status, _, responded, resolved, csat, escalated in history:
            assert (responded is not None) == (STATUS_ORDER[status] >= 1), ticket_id
            assert (resolved is not None) == (STATUS_ORDER[status] >= 2), ticket_id
            assert csat is None or (STATUS_ORDER[status] >= 2 and 1 <= csat <= 5), ticket_id
            assert escalated in ("true", "false")
            assert created <= (responded or created) <= (resolved or responded or created) <= updated, ticket_id


def test_response_times_spread_with_some_sla_misses(desk: duckdb.DuckDBPyConnection) -> None:
    rows = desk.sql(
        "select priority, epoch(responded - created) / 3600, escalated, csat, channel, category "
        "from current_tickets where responded is not null"
    ).fetchall()
    assert {r[0] for r in rows} == set(TICKET_PRIORITIES)
    missed = [r for r in rows if r[1] > SLA_FIRST_RESPONSE_HOURS[r[0]]]
    assert 0.03 < len(missed) / len(rows) < 0.4
    hours = sorted(r[1] for r in rows)
    assert hours[len(hours) // 2] < 8 < hours[9 * len(hours) // 10], "median within hours, a long tail past a day"
    assert 0 < sum(r[2] == "true" for r in rows) < len(rows) / 5, "a few escalated"
    rated = [r[3] for r in rows if r[3] is not None]
    assert 0.2 < len(rated) / len(rows) < 0.6 and min(rated) < 3 and max(rated) == 5
    assert len({r[4] for r in rows}) >= 3 and len({r[5] for r in rows}) >= 5


def test_tickets_come_from_providers_of_their_org(desk: duckdb.DuckDBPyConnection, wide: GenerateResult) -> None:
    rows = desk.sql(
        """
        with providers as (
            select distinct lower(trim(provider_id)) as provider_id, lower(trim(org_id)) as org_id
            from e where event_name = 'provider_created'
        )
        select t.ticket_id, t.provider_id, p.org_id = t.org_id
        from current_tickets as t left join providers as p using (provider_id)
        """
    ).fetchall()
    with_provider = [r for r in rows if r[1] is not None]
    assert 0.7 < len(with_provider) / len(rows) < 0.95
    assert all(r[2] for r in with_provider)
    start = wide.window_start.replace(tzinfo=None)
    assert desk.sql("select min(created) from tickets").fetchone()[0] >= start  # type: ignore[index]
    assert desk.sql("select max(updated) from tickets").fetchone()[0] < start + timedelta(days=90)  # type: ignore[index]


def test_struggling_orgs_open_more_tickets_and_rate_them_lower() -> None:
    window = Window.build(END, 90, "America/Los_Angeles")
    pop = build_population(11, window, 60)
    o = pop.orgs
    table = render_tickets(pop, window, 11)
    org_index = {org_id: i for i, org_id in enumerate(o.ids.to_pylist())}
    struggling = np.isin(o.lifecycle, [v.DECLINING, v.CHURNED, v.RETURNING])
    healthy = ~struggling & ~troubled(pop)
    tickets = np.zeros(o.n)
    ratings: dict[str, list[int]] = {"struggling": [], "healthy": [], "other": []}
    for org_id, status, csat in zip(
        *(table.column(c).to_pylist() for c in ("org_id", "status", "csat_score")), strict=True
    ):
        org = org_index[org_id]
        tickets[org] += status == "new"
        if status == "solved" and csat:
            ratings["struggling" if struggling[org] else "healthy" if healthy[org] else "other"].append(int(csat))
    days = window.day_starts()[None, :]
    customer = (days + DAY_US > o.signup_us[:, None]) & (
        (days + DAY_US <= o.churn_us[:, None]) | (days >= o.return_us[:, None])
    )
    exposure = customer.sum(axis=1) * (o.provider_end - o.first_provider)
    assert struggling.sum() >= 5 and healthy.sum() >= 5
    rate = {name: tickets[mask].sum() / exposure[mask].sum() for name, mask in (("s", struggling), ("h", healthy))}
    assert rate["s"] > 1.8 * rate["h"], "tickets per provider and customer day"
    assert np.mean(ratings["struggling"]) < np.mean(ratings["healthy"]) - 0.5
