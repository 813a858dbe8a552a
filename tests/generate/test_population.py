"""Orgs and providers: signups over time, roles, sessions and a spread of activity."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from vitals.generate import GenerateResult

from .conftest import connect


def test_orgs_sign_up_before_and_during_the_window(small: GenerateResult, db: duckdb.DuckDBPyConnection) -> None:
    rows = db.sql(
        """
        select event_name, properties ->> 'org_name', properties ->> 'plan', cast(occurred_at as timestamptz)
        from e where event_name in ('org_created', 'org_signup')
        """
    ).fetchall()
    names = {r[1] for r in rows}
    assert len(names) == small.orgs and None not in names
    assert {r[2] for r in rows} <= {"Starter", "Growth", "Enterprise"}
    assert any(r[3] < small.window_start for r in rows)
    assert any(r[3] >= small.window_start for r in rows)


def test_old_orgs_use_org_signup(wide: GenerateResult) -> None:
    con = connect(wide)
    rows = con.sql(
        "select event_name, cast(occurred_at as timestamptz) from e where event_name in ('org_created', 'org_signup')"
    ).fetchall()
    year_before = wide.window_start - timedelta(days=365)
    assert any(name == "org_signup" for name, _ in rows)
    assert all((name == "org_signup") == (at < year_before) for name, at in rows)


def test_provider_roles_mostly_doctors(db: duckdb.DuckDBPyConnection) -> None:
    roles = dict(
        db.sql(
            "select properties ->> 'role', count(*) from e where event_name = 'provider_created' group by 1"
        ).fetchall()
    )
    assert set(roles) == {"doctor", "nurse", "admin"}
    assert roles["doctor"] > roles["nurse"] + roles["admin"]


def test_sessions_include_bounces_and_logouts(db: duckdb.DuckDBPyConnection) -> None:
    row = db.sql(
        """
        with sessions as (
            select session_id, count(distinct event_id) as events, bool_or(event_name = 'logout') as logged_out
            from e where coalesce(session_id, '') <> '' group by 1
        )
        select count(*) filter (where events = 1), count(*) filter (where logged_out), count(*) from sessions
        """
    ).fetchone()
    assert row is not None
    bounces, logouts, total = row
    assert 0 < bounces < 0.2 * total
    assert 0 < logouts < total


def test_power_users_and_light_users(db: duckdb.DuckDBPyConnection) -> None:
    jobs = [
        r[0]
        for r in db.sql(
            """
            select count(*) from e
            where event_name = 'note_submit' and coalesce(provider_id, '') not in ('', 'null', 'None')
            group by lower(trim(provider_id)) order by 1 desc
            """
        ).fetchall()
    ]
    top = jobs[: max(len(jobs) // 10, 1)]
    assert sum(top) > 0.2 * sum(jobs)
    assert jobs[0] > 10 * jobs[-1]


def test_every_job_event_shares_its_request_id(db: duckdb.DuckDBPyConnection) -> None:
    row = db.sql(
        """
        select count(*) from (
            select request_id, count(distinct lower(trim(provider_id))) filter (
                where coalesce(provider_id, '') not in ('', 'null', 'None')
            ) as providers
            from e where coalesce(request_id, '') <> '' group by 1
        ) where providers > 1
        """
    ).fetchone()
    assert row == (0,)
