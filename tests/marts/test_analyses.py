"""The seed 000 analyses marts (SPEC §6.1) on the hand-built dataset of ``analyses_dataset``, once per engine.

As of 2026-11-04 20:00 UTC (Wed 12:00 PST): as-of week Mon Nov 2, current month November, the last
30 days start 2026-10-05 20:00 UTC. Business time is America/Los_Angeles: PDT (UTC-7) until
2026-11-01 09:00 UTC, then PST (UTC-8). Every expected value below is worked out from the rows in
``analyses_dataset`` (see its docstring for the plan of each org).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.marts.analyses_dataset import (
    ANALYSES_ERRORS,
    ANALYSES_EVENTS,
    ANALYSES_INVOICES,
    AS_OF,
    OA,
    OB,
    OC,
    OD,
    OE,
    OF,
    OG,
    OH,
    OI,
)
from tests.transform.transform_dataset import engine_warehouse, land, query
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+path:models/marts/analyses"
NAMES = {OA: "A", OB: "B", OC: "C", OD: "D", OE: "E", OF: "F", OG: "G", OH: "H", OI: "I"}


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"analyses-{request.param}")
    with engine_warehouse(request.param, directory) as built:
        land(built, ANALYSES_EVENTS, ANALYSES_INVOICES, ANALYSES_ERRORS)
        result = build(built, as_of=AS_OF, select=SELECT)
        assert result.success and not result.failures()
        yield built


def _clean(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, 9)
    return NAMES.get(value, value) if isinstance(value, str) else value


def mart(settings: Settings, name: str, order_by: str) -> list[dict[str, Any]]:
    """Rows of mart_analyses_<name>: org ids as their letter, floats rounded to 9 places, org_name dropped."""
    found = query(settings, f"select * from {{core}}.mart_analyses_{name} order by {order_by}")
    return [{k: _clean(v) for k, v in row.items() if k != "org_name"} for row in found]


def test_every_mart_is_built(settings: Settings) -> None:
    names = query(
        settings,
        "select org_id, org_name from {core}.mart_analyses_weekly_active_providers"
        f" where org_id in ('{OA}', '{OB}', '{OC}') group by org_id, org_name order by org_id",
    )
    # names from the first org_created / org_signup event; C has none: its id
    assert [r["org_name"] for r in names] == ["Alpha Clinic", "Beta Health", OC]


def test_weekly_active_providers(settings: Settings) -> None:
    wap = {
        (r["org_id"], r["week_start"]): r["weekly_active_providers"]
        for r in mart(settings, "weekly_active_providers", "org_id, week_start")
    }
    assert wap == {
        # A: W0 P1 + P4 (auto_coding counts); W1 P1 P2 P3; W2 P1 P2 P3; W3 (DST week) P1 (Sat Oct 31
        # 21:30 PDT) + P2 (Mon Nov 2 07:30 UTC = Sun Nov 1 23:30 PST, still W3); W4 P2 only
        ("A", date(2026, 10, 5)): 2,
        ("A", date(2026, 10, 12)): 3,
        ("A", date(2026, 10, 19)): 3,
        ("A", date(2026, 10, 26)): 2,
        ("A", date(2026, 11, 2)): 1,
        # B: W-1 P6; W0 nobody (no row); W1, W2, W3 P6 + P7; W4 P6
        ("B", date(2026, 9, 28)): 1,
        ("B", date(2026, 10, 12)): 2,
        ("B", date(2026, 10, 19)): 2,
        ("B", date(2026, 10, 26)): 2,
        ("B", date(2026, 11, 2)): 1,
        # C: PC1..PC5 on Oct 20, PC1..PC4 on Oct 27
        ("C", date(2026, 10, 19)): 5,
        ("C", date(2026, 10, 26)): 4,
        # D: d-old on Mon Oct 5 12:30 PDT, then Oct 21; E, F, G: one provider in W2
        ("D", date(2026, 10, 5)): 1,
        ("D", date(2026, 10, 19)): 1,
        ("E", date(2026, 10, 19)): 1,
        ("F", date(2026, 10, 19)): 1,
        ("G", date(2026, 10, 19)): 1,
    }


def test_declining_accounts(settings: Settings) -> None:
    found = mart(settings, "declining_accounts", "org_id, week_start")
    columns = ["org_id", "week_start", "prev_wap", "curr_wap", "wap_change_abs", "wap_decline_rate"]
    expected = [
        # A: W3 3 -> 2 (1/3 >= 20%), W4 2 -> 1; W0 -> W1 (2 -> 3) and W1 -> W2 (3 -> 3) are not drops
        ("A", date(2026, 10, 26), 3, 2, 1, round(1 / 3, 9)),
        ("A", date(2026, 11, 2), 2, 1, 1, 0.5),
        # B: W0 has nobody after W-1 had one: a drop to zero; W1 (0 -> 2) has no previous WAP; W4 2 -> 1
        ("B", date(2026, 10, 5), 1, 0, 1, 1.0),
        ("B", date(2026, 11, 2), 2, 1, 1, 0.5),
        # C: 5 -> 4 is exactly 20% (listed), then 4 -> 0 in the as-of week
        ("C", date(2026, 10, 26), 5, 4, 1, 0.2),
        ("C", date(2026, 11, 2), 4, 0, 4, 1.0),
        # D: W0 1 -> W1 0; W2 1 -> W3 0; E, F, G: W2 1 -> W3 0 (W4 follows a week of 0: not listed)
        ("D", date(2026, 10, 12), 1, 0, 1, 1.0),
        ("D", date(2026, 10, 26), 1, 0, 1, 1.0),
        ("E", date(2026, 10, 26), 1, 0, 1, 1.0),
        ("F", date(2026, 10, 26), 1, 0, 1, 1.0),
        ("G", date(2026, 10, 26), 1, 0, 1, 1.0),
    ]
    assert found == [dict(zip(columns, row, strict=True)) for row in expected]


def test_monthly_active_providers(settings: Settings) -> None:
    found = mart(settings, "monthly_active_providers", "org_id")
    columns = [
        "org_id",
        "curr_month_active_providers",
        "prev_month_active_providers",
        "month_active_providers_change",
        "month_active_providers_change_rate",
    ]
    expected = [
        # A: November (business time) = P2 (Sun Nov 1 23:30 PST, Nov 3); P1's Nov 1 04:30 UTC job is
        # Oct 31 21:30 PDT -> October. October = P1, P4, P2, P3 = 4. (1 - 4) / 4 = -0.75
        ("A", 1, 4, -3, -0.75),
        # B: November = P6 (Nov 1 01:30 PDT, Nov 2), P7 (Nov 1 01:30 PST); October = P6, P7
        ("B", 2, 2, 0, 0.0),
        # C: October only, 5 providers; D, E, F, G: October only, 1 provider
        ("C", 0, 5, -5, -1.0),
        ("D", 0, 1, -1, -1.0),
        ("E", 0, 1, -1, -1.0),
        ("F", 0, 1, -1, -1.0),
        ("G", 0, 1, -1, -1.0),
        # H and I had no successful job in either month: no row
    ]
    assert found == [
        {
            **dict(zip(columns, row, strict=True)),
            "month_start": date(2026, 11, 1),
            "prev_month_start": date(2026, 10, 1),
        }
        for row in expected
    ]


def test_hourly_load(settings: Settings) -> None:
    found = mart(settings, "hourly_load", "dow, hour_of_day")
    assert len(found) == 7 * 24
    busy = {
        (r["dow"], r["hour_of_day"]): (
            r["avg_events"],
            r["slot_event_days"],
            r["slot_total_events"],
            r["avg_successful_jobs"],
            r["slot_successful_job_days"],
            r["slot_total_successful_jobs"],
        )
        for r in found
        if r["slot_event_days"] or r["slot_successful_job_days"]
    }
    # (dow 0 = Sunday, business hour): events per day in that hour -> (average over the days that
    # had any, days, total); the same for successful jobs by completion time. A job is 3 events
    # (submit, success, status), E's jobs 4 (+ summarize_start), a failed job 2.
    assert busy == {
        # Sun Nov 1 01:xx: B's two W3 jobs, one in PDT and one in PST -> the same local hour: 6 events, 2 jobs
        (0, 1): (6.0, 1, 6, 2.0, 1, 2),
        # Sun Sep 20 12:xx PDT: B's org_signup + 2 provider_created
        (0, 12): (3.0, 1, 3, 0.0, 0, 0),
        # Sun Nov 1 23:30 PST (Mon 07:30 UTC): A's P2 W3 job
        (0, 23): (3.0, 1, 3, 1.0, 1, 1),
        # Mon 10:xx: Oct 12 (B P6 job: 3), Oct 19 (A P5 failed: 2), Nov 2 (B P6 job, 10:30 PST: 3) -> 8 / 3 days;
        # jobs: Oct 12 and Nov 2 one each
        (1, 10): (round(8 / 3, 9), 3, 8, 1.0, 2, 2),
        # Mon 11:xx: Oct 12 (B P7: 3 events, 1 job), Oct 19 (B W2: 9 events, 3 jobs) -> 12 / 2, 4 / 2
        (1, 11): (6.0, 2, 12, 2.0, 2, 4),
        # Mon Oct 5 12:xx: D's old job (3) + G's straddling login (12:30) + H's old login (12:00) = 5
        (1, 12): (5.0, 1, 5, 1.0, 1, 1),
        # Mon Oct 5 13:30: G's straddling page_view
        (1, 13): (1.0, 1, 1, 0.0, 0, 0),
        # Tue 10:xx: Sep 29 (B: 3), Oct 6 (A: 3), Oct 13 (A P1 x3: 9), Oct 20 (C x16: 48),
        # Oct 27 (C x4: 12), Nov 3 (A P2 10:30 PST: 3) = 78 over 6 days; jobs 1+1+3+16+4+1 = 26 over 6
        (2, 10): (13.0, 6, 78, round(26 / 6, 9), 6, 26),
        # Tue Oct 20 11:xx: A's P1 x3
        (2, 11): (9.0, 1, 9, 3.0, 1, 3),
        # Wed Oct 21 09:xx: G's sessions 1 + 2 x 28 = 57, G's job 3, H's org_created 1 and 29 logins = 90
        (3, 9): (90.0, 1, 90, 1.0, 1, 1),
        # Wed 10:xx: Oct 7 (A P4: 3), Oct 14 (A P2: 3), Oct 21 (D x19: 57) = 63 / 3; jobs 1 + 1 + 19 = 21 / 3
        (3, 10): (21.0, 3, 63, 7.0, 3, 21),
        # Wed Oct 21 11:xx: A's P2 W2 job
        (3, 11): (3.0, 1, 3, 1.0, 1, 1),
        # Thu Oct 1 09:xx: A's org_created + 5 provider_created
        (4, 9): (6.0, 1, 6, 0.0, 0, 0),
        # Thu 10:xx: Oct 15 (A P3: 3), Oct 22 (E: 20 x 4 = 80; the 5 duplicate submits are not counted)
        # = 83 / 2; jobs 1 + 20 = 21 / 2
        (4, 10): (41.5, 2, 83, 10.5, 2, 21),
        # Thu Oct 22 11:xx: A's P3 W2 job
        (4, 11): (3.0, 1, 3, 1.0, 1, 1),
        # Fri Oct 23 10:xx: F x20
        (5, 10): (60.0, 1, 60, 20.0, 1, 20),
        # Sat Oct 31 21:30 PDT (Nov 1 04:30 UTC): A's P1 W3 job
        (6, 21): (3.0, 1, 3, 1.0, 1, 1),
    }
    # every event once: 436 distinct events (the 5 duplicate landed copies are not among them);
    # every successful job once: A 15 + B 9 + C 20 + D 20 + E 20 + F 20 + G 1 = 105
    assert sum(r["slot_total_events"] for r in found) == 436
    assert sum(r["slot_total_successful_jobs"] for r in found) == 105


def test_quietest_hours(settings: Settings) -> None:
    # hours with one successful job, earliest first (the tie-break): Tue Sep 29 10:00 (B), Mon Oct 5
    # 12:00 (D's old job; 5 events, see the hourly load), Tue Oct 6 10:00 (A P1), Wed Oct 7 10:00
    # (A P4), Mon Oct 12 10:00 (B P6) - each with its job's 3 events unless noted
    assert mart(settings, "quietest_hours", "quiet_rank") == [
        {"quiet_rank": 1, "hour_start": datetime(2026, 9, 29, 10), "quiet_hour_jobs": 1, "quiet_hour_events": 3},
        {"quiet_rank": 2, "hour_start": datetime(2026, 10, 5, 12), "quiet_hour_jobs": 1, "quiet_hour_events": 5},
        {"quiet_rank": 3, "hour_start": datetime(2026, 10, 6, 10), "quiet_hour_jobs": 1, "quiet_hour_events": 3},
        {"quiet_rank": 4, "hour_start": datetime(2026, 10, 7, 10), "quiet_hour_jobs": 1, "quiet_hour_events": 3},
        {"quiet_rank": 5, "hour_start": datetime(2026, 10, 12, 10), "quiet_hour_jobs": 1, "quiet_hour_events": 3},
    ]


def test_notes_per_provider(settings: Settings) -> None:
    columns = ["org_id", "providers_with_notes", "total_notes", "avg_notes_per_provider"]
    expected = [
        # A: P1 1 + 3 + 3 + 1 = 8, P2 1 + 1 + 1 + 1 = 4, P3 2, P4 1 (auto_coding counts) -> 15 / 4;
        # P5 only failed
        ("A", 4, 15, 3.75),
        # B: P6 Sep 29, Oct 12, Oct 19 x2, Nov 1, Nov 2 = 6; P7 Oct 12, Oct 19, Nov 1 = 3 -> 9 / 2
        ("B", 2, 9, 4.5),
        # C: PC1 5, PC2..PC4 4, PC5 3 = 20 / 5; D: 1 + 19 (whole history); E, F 20; G 1
        ("C", 5, 20, 4.0),
        ("D", 1, 20, 20.0),
        ("E", 1, 20, 20.0),
        ("F", 1, 20, 20.0),
        ("G", 1, 1, 1.0),
    ]
    assert mart(settings, "notes_per_provider", "org_id") == [dict(zip(columns, row, strict=True)) for row in expected]


def test_training_needs(settings: Settings) -> None:
    # jobs completed since 2026-10-05 20:00 UTC: A 15, B 8, D 19 (d-old completed 19:30, before):
    # under 20, not listed; G 1; C, E, F 20 each
    assert mart(settings, "training_needs", "org_id") == [
        {
            # Review 10 / 20 = 50% (the threshold holds); paid invoice Oct 10 - Nov 10
            "org_id": "C",
            "paid_recently": True,
            "max_invoice_mrr_cents": 50000,
            "max_invoice_seats": 5,
            "completed_jobs_30d": 20,
            "review_jobs_30d": 10,
            "locked_jobs_30d": 10,
            "review_rate_30d": 0.5,
            "error_events_30d": 0,
            "attempt_events_30d": 20,  # 20 note_submits
            "errors_per_100_attempts_30d": 0.0,
            "needs_training": True,
        },
        {
            # Review 4 / 20; errors se-1 (error) + se-2 (fatal) = 2 (the warning and the Oct 1 error
            # do not count); attempts 20 submits + 20 summarize_starts = 40 (5 submits landed twice
            # count once; counted twice it would be 2 / 45 < 5%) -> 100 * 2 / 40 = 5.0 (the threshold);
            # paid invoice ending Oct 6 00:00 UTC, after the window start (Oct 5 20:00)
            "org_id": "E",
            "paid_recently": True,
            "max_invoice_mrr_cents": 20000,
            "max_invoice_seats": 2,
            "completed_jobs_30d": 20,
            "review_jobs_30d": 4,
            "locked_jobs_30d": 16,
            "review_rate_30d": 0.2,
            "error_events_30d": 2,
            "attempt_events_30d": 40,
            "errors_per_100_attempts_30d": 5.0,
            "needs_training": True,
        },
        {
            # Review 15 / 20 but no recent paid invoice (paid until Oct 1, then only an open one):
            # the largest MRR and seats are the open invoice's
            "org_id": "F",
            "paid_recently": False,
            "max_invoice_mrr_cents": 30000,
            "max_invoice_seats": 3,
            "completed_jobs_30d": 20,
            "review_jobs_30d": 15,
            "locked_jobs_30d": 5,
            "review_rate_30d": 0.75,
            "error_events_30d": 0,
            "attempt_events_30d": 20,
            "errors_per_100_attempts_30d": 0.0,
            "needs_training": False,
        },
    ]


def test_session_health(settings: Settings) -> None:
    # G: sessions g00..g28 (session i lasts 60 i s; g00 is one event) + the straddling session
    # (19:30 -> 20:30 UTC on Oct 5, ends inside the window) = 30: listed. As in seed 000, sessions are
    # made of the window's events alone: the straddling one is its 20:30 event, 0 s and a bounce.
    # H: 29 sessions in the window (its Oct 5 19:00 session ended before the window): not listed.
    # durations sorted: 0, 0, 60, ..., 1680 (n = 30)
    #   p50 at position 0.5 x 29 = 14.5: (780 + 840) / 2 = 810
    #   p95 at position 0.95 x 29 = 27.55: 1560 + 0.55 x 60 = 1593
    # events: 1 + 28 x 2 + 1 = 58 -> 58 / 30; bounce: g00 and the straddling one -> 2 / 30
    # error at 16:10:00 (600 s) inside [i, 61 i] for i = 10..28 -> 19 / 30
    # PG1's job completed at 16:20:00 (1200 s) inside i = 20..28 -> 9 / 30
    assert mart(settings, "session_health", "org_id") == [
        {
            "org_id": "G",
            "sessions_30d": 30,
            "session_p50_duration_sec": 810.0,
            "session_p95_duration_sec": 1593.0,
            "session_avg_events": round(58 / 30, 9),
            "session_bounce_rate": round(2 / 30, 9),
            "session_error_rate": round(19 / 30, 9),
            "session_success_rate": 0.3,
        }
    ]


def test_adoption_funnel(settings: Settings) -> None:
    columns = [
        "org_id",
        "provider_signups",
        "providers_first_transcription",
        "providers_regular_usage",
        "signup_to_first_transcription_rate",
        "first_transcription_to_regular_rate",
    ]
    expected = [
        # A: P1..P5; successful note jobs: P1, P2, P3 (P4 only auto_coding, P5 only failed);
        # P1 has 3 in W1 and 3 in W2 (by created_at): regular -> 3 / 5, 1 / 3
        ("A", 5, 3, 1, 0.6, round(1 / 3, 9)),
        # B: P6 and P7 transcribe, at most 2 jobs a week
        ("B", 2, 2, 0, 1.0, 0.0),
        # C: PC1 has 4 in W2 but 1 in W3; D: PD1 has 19 in W2 but 0 in W1 and W3
        ("C", 5, 5, 0, 1.0, 0.0),
        ("D", 1, 1, 0, 1.0, 0.0),
        ("E", 1, 1, 0, 1.0, 0.0),
        ("F", 1, 1, 0, 1.0, 0.0),
        ("G", 1, 1, 0, 1.0, 0.0),
        # H: PH1 never transcribes; I: no provider
        ("H", 1, 0, 0, 0.0, None),
        ("I", 0, 0, 0, None, None),
    ]
    assert mart(settings, "adoption_funnel", "org_id") == [dict(zip(columns, row, strict=True)) for row in expected]


def test_journey_stage(settings: Settings) -> None:
    columns = [
        "org_id",
        "signup_at",
        "first_transcription_at",
        "regular_usage_start",
        "days_to_first_transcription",
        "days_to_regular_usage",
        "current_stage",
    ]
    expected = [
        # A: qualifying weeks (WAP >= 2 and Locked >= 60%): W0 no (Locked 1/2), W1 (3, 5/5), W2 (3,
        # 3/5 = 60%), W3 (2, 2/2); the first run of two starts W1 = Mon Oct 12.
        # Oct 1 16:00 -> Oct 6 17:30 = 5 d 1.5 h = 5.0625 days;
        # Oct 6 17:30 UTC -> Oct 12 00:00 PDT (07:00 UTC) = 5 d 13.5 h = 5.5625 days
        (
            "A",
            datetime(2026, 10, 1, 16),
            datetime(2026, 10, 6, 17, 30),
            date(2026, 10, 12),
            5.0625,
            5.5625,
            "regular_usage",
        ),
        # B: qualifying W1 and W3 only (W2 Locked 1/3, W-1 and W4 WAP 1): never two in a row.
        # Sep 20 19:00 -> Sep 29 17:30 = 8 d 22.5 h = 8.9375 days
        ("B", datetime(2026, 9, 20, 19), datetime(2026, 9, 29, 17, 30), None, 8.9375, None, "first_transcription"),
        # C: W2 WAP 5 but Locked 6/16; W3 alone. No signup event: no days
        ("C", None, datetime(2026, 10, 20, 17, 30), None, None, None, "first_transcription"),
        ("D", None, datetime(2026, 10, 5, 19, 30), None, None, None, "first_transcription"),
        ("E", None, datetime(2026, 10, 22, 17, 30), None, None, None, "first_transcription"),
        ("F", None, datetime(2026, 10, 23, 17, 30), None, None, None, "first_transcription"),
        ("G", None, datetime(2026, 10, 21, 16, 20), None, None, None, "first_transcription"),
        # H: signed up, never a successful job; I: known from billing only
        ("H", datetime(2026, 10, 21, 16, 39), None, None, None, None, "signup"),
        ("I", None, None, None, None, None, "unknown"),
    ]
    assert mart(settings, "journey_stage", "org_id") == [dict(zip(columns, row, strict=True)) for row in expected]


def test_time_to_first_value(settings: Settings) -> None:
    # only the orgs with both a signup and a successful job: A and B (as in the journey)
    assert mart(settings, "time_to_first_value", "org_id") == [
        {
            "org_id": "A",
            "signup_at": datetime(2026, 10, 1, 16),
            "first_transcription_at": datetime(2026, 10, 6, 17, 30),
            "days_to_first_value": 5.0625,
        },
        {
            "org_id": "B",
            "signup_at": datetime(2026, 9, 20, 19),
            "first_transcription_at": datetime(2026, 9, 29, 17, 30),
            "days_to_first_value": 8.9375,
        },
    ]
