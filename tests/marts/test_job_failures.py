"""Jobs attempted, jobs failed and the job failure rate (reliability, seed 004), per engine.

Business time zone America/Los_Angeles (PST = UTC-8); as of 2026-02-20 20:00 UTC = 12:00 PST; job timeout
60 minutes. A job counts on the business day it was created, once it has settled:

| job | org | created (UTC)       | business day | outcome                             |
|-----|-----|---------------------|--------------|-------------------------------------|
| F1  | A   | 2026-02-18 18:00    | 02-18        | success                             |
| F2  | A   | 2026-02-18 19:00    | 02-18        | summarize_failed                    |
| F3  | A   | 2026-02-18 20:00    | 02-18        | nothing: timed out at 21:00         |
| F9  | A   | 2026-02-19 07:00    | 02-18 23:00  | summarize_failed                    |
| F4  | B   | 2026-02-18 21:00    | 02-18        | success                             |
| F5  | A   | 2026-02-19 18:00    | 02-19        | success                             |
| F6  | B   | 2026-02-19 18:00    | 02-19        | summarize_failed                    |
| F8  | A   | 2026-02-20 18:00    | 02-20        | success                             |
| F7  | A   | 2026-02-20 19:30    | 02-20        | nothing yet: pending, not counted   |

02-18: A 4 attempted, 3 failed (0.75); B 1, 0 (0.0); global 5, 3 (0.6).
02-19: A 1, 0 (0.0); B 1, 1 (1.0); global 2, 1 (0.5).
02-20: A 1, 0 (0.0); B 0 attempted, no rate; global 1, 0 (0.0).
02-17 (both orgs' first day): 0 attempted, no rate.
The error rate per 100 attempts is a different measure (Sentry errors per attempt event) and is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.marts.metrics_dataset import job, metric_values, rows
from tests.transform.transform_dataset import OA, OB, engine_warehouse, event, land
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
AS_OF = datetime(2026, 2, 20, 20, 0, 0)
P_A = "a1a1a1a1-0000-4000-8000-000000000001"
P_B = "b2b2b2b2-0000-4000-8000-000000000002"
EVENTS: list[dict[str, str | None]] = [
    event("o-a", "org_created", "2026-02-17 18:00:00", org=OA, props={"org_name": "Clinic A"}),
    event("o-b", "org_created", "2026-02-17 18:00:00", org=OB, props={"org_name": "Clinic B"}),
    *job("F1", P_A, OA, "2026-02-18 18:00:00", start_after=10, success_after=60, quality=0.9),
    *job("F2", P_A, OA, "2026-02-18 19:00:00", start_after=10, failed_after=30),
    *job("F3", P_A, OA, "2026-02-18 20:00:00"),
    *job("F9", P_A, OA, "2026-02-19 07:00:00", failed_after=20),
    *job("F4", P_B, OB, "2026-02-18 21:00:00", start_after=10, success_after=60, quality=0.9),
    *job("F5", P_A, OA, "2026-02-19 18:00:00", start_after=10, success_after=60, quality=0.9),
    *job("F6", P_B, OB, "2026-02-19 18:00:00", start_after=10, failed_after=40),
    *job("F8", P_A, OA, "2026-02-20 18:00:00", start_after=10, success_after=60, quality=0.9),
    *job("F7", P_A, OA, "2026-02-20 19:30:00"),
]
MODELS = "+metrics_daily__reliability +mart_reliability_daily +organizations +providers +sessions"


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The jobs above landed and the reliability models built as of AS_OF."""
    with engine_warehouse(request.param, tmp_path_factory.mktemp(f"job-failures-{request.param}")) as built:
        land(built, EVENTS, [], [])
        result = build(built, as_of=AS_OF, select=MODELS)
        assert result.success and not result.failures()
        yield built


def outcomes(settings: Settings, day: str) -> dict[str, tuple[float | None, float | None, float | None]]:
    """{entity: (jobs_attempted, jobs_failed, job_failure_rate)} of one business day, long form."""
    found = metric_values(settings, "metrics_daily__reliability", day)
    names = {"global": "global", OA: "A", OB: "B"}
    return {
        names[entity]: tuple(
            found.get((metric, entity)) for metric in ("jobs_attempted", "jobs_failed", "job_failure_rate")
        )  # type: ignore[misc]
        for entity in names
    }


def test_failures_count_on_the_day_the_job_was_created(settings: Settings) -> None:
    assert outcomes(settings, "2026-02-18") == {
        "global": (5, 3, pytest.approx(0.6)),
        "A": (4, 3, pytest.approx(0.75)),
        "B": (1, 0, 0.0),
    }


def test_a_pending_job_is_not_counted_yet(settings: Settings) -> None:
    assert outcomes(settings, "2026-02-19") == {"global": (2, 1, 0.5), "A": (1, 0, 0.0), "B": (1, 1, 1.0)}
    assert outcomes(settings, "2026-02-20") == {"global": (1, 0, 0.0), "A": (1, 0, 0.0), "B": (0, 0, None)}


def test_a_day_without_jobs_has_no_rate(settings: Settings) -> None:
    assert outcomes(settings, "2026-02-17") == {"global": (0, 0, None), "A": (0, 0, None), "B": (0, 0, None)}


def test_the_wide_mart_holds_the_org_rows(settings: Settings) -> None:
    found = rows(
        settings,
        "select org_id, jobs_attempted, jobs_failed, job_failure_rate from {core}.mart_reliability_daily "
        "where metric_date = cast('2026-02-18' as date) order by org_id",
    )
    assert {r["org_id"]: (r["jobs_attempted"], r["jobs_failed"], r["job_failure_rate"]) for r in found} == {
        OA: (4, 3, pytest.approx(0.75)),
        OB: (1, 0, 0.0),
    }
