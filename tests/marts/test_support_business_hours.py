"""Support ticket times on business hours (setting support.time_basis), hand-worked, once per engine and basis.

Business time zone America/Los_Angeles: PST (UTC-8) until Sunday 2026-03-08, PDT (UTC-7) from then on. Business
hours are the defaults: 09:00-17:00 local, Monday to Friday. The as-of time is 2026-03-20 20:00 UTC (Friday 13:00
PDT); D = 2026-03-20. Every ticket belongs to org A. Times are UTC, with the local time in brackets. Targets are
the defaults: low 1440, normal 480, high 120, urgent 30 minutes (urgent stays on clock time on either basis).

- b1, normal, Friday to Monday: created 03-13 23:30 (Fri 16:30), answered 03-16 16:30 (Mon 09:30), solved 03-16
  19:00 (Mon 12:00). Business: response 30 + 30 min = 3600 s, resolution 30 min + 3 h = 12600 s; due when 480
  business minutes have passed: 30 on Friday, 450 on Monday, 03-16 23:30 (Mon 16:30); met. Clock: response 65 h =
  234000 s, resolution 67.5 h = 243000 s; due 03-14 07:30; breached.
- b2, high, across the DST change: created 03-07 00:00 (Fri 16:00 PST), answered 03-09 17:00 (Mon 10:00 PDT).
  Business: 1 h on Friday + 1 h on Monday (Monday opens at 09:00 PDT = 16:00 UTC, not 17:00) = 7200 s; due when 120
  business minutes have passed, 03-09 17:00, the very time of the answer: met (it stops by the due time). Clock:
  65 h = 234000 s; due 03-07 02:00; breached.
- b3, normal, opened on a Saturday: created 03-14 18:00 (Sat 11:00), answered 03-16 16:45 (Mon 09:45). Business:
  2700 s, due Monday 17:00 = 03-17 00:00, met. Clock: 46.75 h = 168300 s, due 03-15 02:00, breached.
- b4, low, solved the same day: created 03-11 15:00 (Wed 08:00), answered 17:30 (10:30), solved 03-12 01:00 (Wed
  18:00). Business: response 5400 s, resolution 8 h = 28800 s; due after 3 working days of 8 hours, Friday 17:00
  = 03-14 00:00; met. Clock: 9000 s, 36000 s; due 03-12 15:00; met.
- b5, urgent, on a Saturday: created 03-14 18:00 (Sat 11:00), answered 19:00 (12:00). Response 0 s on business
  time (all of it on a weekend), 3600 s on clock time. Its SLA is on clock time either way: due 18:30, breached.
- b6, normal, not answered by the as-of time: created 03-19 22:00 (Thu 15:00). Business: 2 h on Thursday + 4 h by
  Friday 13:00 = 6 h < 8 h: due 03-20 22:00 (Fri 15:00), after the as-of time: undecided. Clock: due 03-20 06:00,
  breached.
- b7, high: created 03-17 16:00 (Tue 09:00), answered 19:30 (12:30): 12600 s on both; due 18:00 (11:00) on both;
  breached.

On D, org A (the window 02-19 .. 03-20 holds every ticket):
- business: first responses 0, 2700, 3600, 5400, 7200, 12600: p50 (3600 + 5400) / 2 = 4500, p90 at rank 0.9 x 5 =
  4.5: 7200 + 0.5 x 5400 = 9900. Resolutions 12600, 28800: p50 20700. SLA decided 6 (b6 is not), breached b5 b7:
  1/3; normal 0/2, high 1/2, low 0/1, urgent 1/1.
- clock: first responses 3600, 9000, 12600, 168300, 234000, 234000: p50 (12600 + 168300) / 2 = 90450, p90 234000.
  Resolutions 36000, 243000: p50 139500. SLA decided 7, breached all but b4: 6/7; normal 3/3, high 2/2, low 0/1,
  urgent 1/1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.marts.support_dataset import OA, land_support, version
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings, SupportSettings
from vitals.warehouse.dbt import build

BUILDS = [
    pytest.param(("duckdb", "business"), id="duckdb-business"),
    pytest.param(("duckdb", "clock"), id="duckdb-clock"),
    pytest.param(("postgres", "business"), id="postgres-business", marks=pytest.mark.postgres),
    pytest.param(("postgres", "clock"), id="postgres-clock", marks=pytest.mark.postgres),
]
SELECT = "+mart_support_tickets +mart_support_daily"
AS_OF = datetime(2026, 3, 20, 20, 0, 0)
D = "2026-03-20"


def answered(
    ticket_id: str, priority: str, created: str, first_response: str, solved: str | None = None
) -> list[dict[str, str | None]]:
    """The versions of a ticket of org A: new at creation, open at its first response, solved at its solve."""
    rows = [
        version(ticket_id, OA, priority, created, created, "new"),
        version(ticket_id, OA, priority, created, first_response, "open", first_response=first_response),
    ]
    if solved is not None:
        rows.append(
            version(ticket_id, OA, priority, created, solved, "solved", first_response=first_response, resolved=solved)
        )
    return rows


TICKETS = [
    *answered("b1", "normal", "2026-03-13 23:30:00", "2026-03-16 16:30:00", "2026-03-16 19:00:00"),
    *answered("b2", "high", "2026-03-07 00:00:00", "2026-03-09 17:00:00"),
    *answered("b3", "normal", "2026-03-14 18:00:00", "2026-03-16 16:45:00"),
    *answered("b4", "low", "2026-03-11 15:00:00", "2026-03-11 17:30:00", "2026-03-12 01:00:00"),
    *answered("b5", "urgent", "2026-03-14 18:00:00", "2026-03-14 19:00:00"),
    version("b6", OA, "normal", "2026-03-19 22:00:00", "2026-03-19 22:00:00", "new"),
    *answered("b7", "high", "2026-03-17 16:00:00", "2026-03-17 19:30:00"),
]

EXPECTED_TICKETS: dict[str, dict[str, tuple[Any, ...]]] = {
    # ticket: (first_response_seconds, resolution_seconds, first_response_due_at, is_sla_breached)
    "business": {
        "b1": (3600, 12600, "2026-03-16 23:30:00", False),
        "b2": (7200, None, "2026-03-09 17:00:00", False),
        "b3": (2700, None, "2026-03-17 00:00:00", False),
        "b4": (5400, 28800, "2026-03-14 00:00:00", False),
        "b5": (0, None, "2026-03-14 18:30:00", True),
        "b6": (None, None, "2026-03-20 22:00:00", None),
        "b7": (12600, None, "2026-03-17 18:00:00", True),
    },
    "clock": {
        "b1": (234000, 243000, "2026-03-14 07:30:00", True),
        "b2": (234000, None, "2026-03-07 02:00:00", True),
        "b3": (168300, None, "2026-03-15 02:00:00", True),
        "b4": (9000, 36000, "2026-03-12 15:00:00", False),
        "b5": (3600, None, "2026-03-14 18:30:00", True),
        "b6": (None, None, "2026-03-20 06:00:00", True),
        "b7": (12600, None, "2026-03-17 18:00:00", True),
    },
}

EXPECTED_DAILY: dict[str, dict[str, float]] = {
    "business": {
        "support_first_response_seconds_p50": 4500,
        "support_first_response_seconds_p90": 9900,
        "support_resolution_seconds_p50": 20700,
        "support_sla_tickets_30d": 6,
        "support_sla_breach_rate": 1 / 3,
        "support_sla_breach_rate_normal": 0.0,
        "support_sla_breach_rate_high": 0.5,
        "support_sla_breach_rate_low": 0.0,
        "support_sla_breach_rate_urgent": 1.0,
    },
    "clock": {
        "support_first_response_seconds_p50": 90450,
        "support_first_response_seconds_p90": 234000,
        "support_resolution_seconds_p50": 139500,
        "support_sla_tickets_30d": 7,
        "support_sla_breach_rate": 6 / 7,
        "support_sla_breach_rate_normal": 1.0,
        "support_sla_breach_rate_high": 1.0,
        "support_sla_breach_rate_low": 0.0,
        "support_sla_breach_rate_urgent": 1.0,
    },
}


@pytest.fixture(scope="module", params=BUILDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    engine, basis = request.param
    directory: Path = tmp_path_factory.mktemp(f"support-hours-{engine}-{basis}")
    with engine_warehouse(engine, directory, support={"time_basis": basis}) as settings:
        land_support(settings, TICKETS, [])
        result = build(settings, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield settings, basis


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def test_ticket_times_and_sla_follow_the_time_basis(built: tuple[Settings, str]) -> None:
    settings, basis = built
    rows = query(
        settings,
        "select ticket_id, first_response_seconds, resolution_seconds, first_response_due_at, is_sla_breached "
        "from {core}.mart_support_tickets",
    )
    found = {
        r["ticket_id"]: (
            r["first_response_seconds"],
            r["resolution_seconds"],
            _moment(r["first_response_due_at"]),
            r["is_sla_breached"],
        )
        for r in rows
    }
    assert found == EXPECTED_TICKETS[basis]


def test_daily_percentiles_and_breach_rates_follow_the_time_basis(built: tuple[Settings, str]) -> None:
    settings, basis = built
    rows = query(settings, f"select * from {{core}}.mart_support_daily where org_id = '{OA}' and metric_date = '{D}'")
    assert len(rows) == 1
    expected = EXPECTED_DAILY[basis]
    assert {name: rows[0][name] for name in expected} == {name: pytest.approx(v) for name, v in expected.items()}


def test_business_hours_are_validated() -> None:
    hours = SupportSettings(time_basis="business", business_hours={"days": [5, 1, 1]}).dbt_vars()["support"]
    assert hours["time_basis"] == "business"
    assert hours["business_hours"] == {"start_hour": 9, "end_hour": 17, "days": [1, 5]}
    for wrong in (
        {"start_hour": 17, "end_hour": 9},
        {"start_hour": 9, "end_hour": 9},
        {"end_hour": 25},
        {"start_hour": -1},
        {"days": []},
        {"days": [0, 1]},
        {"days": [8]},
    ):
        with pytest.raises(ValidationError):
            SupportSettings(business_hours=wrong)
    with pytest.raises(ValidationError):
        SupportSettings(time_basis="calendar")  # type: ignore[arg-type]
