"""The product marts (SPEC §6.3) on the hand-built dataset of ``metrics_dataset``, once per engine.

Active = at least one app event that business day (any event name); a provider's org is
providers.org_id. Activity days: P1 11-24, 12-01, 12-22, 02-16..02-20; P2 11-25, 12-23, 02-09;
P3 02-09, 02-10, 02-17, 02-18; P4 02-03, 02-12, 02-19.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.marts.metrics_dataset import OA, OB, P1, P2, P3, P4, built_marts, metric_values, rows
from vitals.config import Settings

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
MODELS = [
    "metrics_daily__product",
    "mart_product_retention_cohorts",
    "mart_product_lifecycle",
    "mart_product_feature_adoption",
    "mart_product_power_users",
]


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with built_marts(request.param, tmp_path_factory.mktemp(f"product-{request.param}"), MODELS) as built:
        yield built


def product(settings: Settings, day: str) -> dict[tuple[str, str], float]:
    return metric_values(settings, "metrics_daily__product", day)


def test_dau_wau_mau_and_stickiness(settings: Settings) -> None:
    day20 = product(settings, "2026-02-20")
    # global 02-20: DAU P1 = 1; WAU (02-14..02-20) P1 P3 P4 = 3; MAU (01-22..02-20) + P2 = 4
    assert (day20[("dau", "global")], day20[("wau", "global")], day20[("mau", "global")]) == (1, 3, 4)
    assert day20[("stickiness_dau_mau", "global")] == pytest.approx(1 / 4)
    assert day20[("stickiness_wau_mau", "global")] == pytest.approx(3 / 4)
    # A: DAU P1, WAU P1 P3, MAU P1 P2 P3
    assert (day20[("dau", OA)], day20[("wau", OA)], day20[("mau", OA)]) == (1, 2, 3)
    assert day20[("stickiness_dau_mau", OA)] == pytest.approx(1 / 3)
    assert day20[("stickiness_wau_mau", OA)] == pytest.approx(2 / 3)
    # B: P4 (02-19) is weekly and monthly active, not daily
    assert (day20[("dau", OB)], day20[("wau", OB)], day20[("mau", OB)]) == (0, 1, 1)
    assert day20[("stickiness_dau_mau", OB)] == pytest.approx(0.0)
    # 02-10 06:30 UTC is 02-09 in Los Angeles: P2 counts on 02-09 (with P3), not on 02-10
    assert product(settings, "2026-02-09")[("dau", "global")] == 2
    assert product(settings, "2026-02-10")[("dau", "global")] == 1  # P3 (J1)
    # 2026-01-15: nobody active in 12-17..01-15 but P1 (12-22) and P2 (12-23) -> MAU 2, DAU/WAU 0
    day_jan = product(settings, "2026-01-15")
    assert (day_jan[("dau", "global")], day_jan[("wau", "global")], day_jan[("mau", "global")]) == (0, 0, 2)
    # 2026-01-25: MAU window 12-27..01-25 is empty -> stickiness undefined, rows omitted
    day_empty = product(settings, "2026-01-25")
    assert day_empty[("mau", "global")] == 0
    assert ("stickiness_dau_mau", "global") not in day_empty


def test_feature_adoption_28d(settings: Settings) -> None:
    day20 = product(settings, "2026-02-20")
    # jobs created 01-24..02-20: J1..J10 = 10 (J7 failed but counts); auto_coding J2 J4 J10 = 3
    assert day20[("auto_coding_job_share_28d", "global")] == pytest.approx(0.3)
    assert day20[("note_job_share_28d", "global")] == pytest.approx(0.7)
    # providers with a job: P1 P3 P4; with auto_coding: P1 P4; with note: P1 P3 P4
    assert day20[("auto_coding_provider_share_28d", "global")] == pytest.approx(2 / 3)
    assert day20[("note_provider_share_28d", "global")] == pytest.approx(1.0)
    # A: 8 jobs (J1 J3 J4 J5 J6 J7 J8 J10), auto J4 J10 -> 0.25; providers P1 P3, auto P1 -> 0.5
    assert day20[("auto_coding_job_share_28d", OA)] == pytest.approx(0.25)
    assert day20[("auto_coding_provider_share_28d", OA)] == pytest.approx(0.5)
    # B: J2 auto, J9 note
    assert day20[("note_job_share_28d", OB)] == pytest.approx(0.5)
    assert day20[("note_provider_share_28d", OB)] == pytest.approx(1.0)
    # before any job: undefined -> no row
    assert ("note_job_share_28d", "global") not in product(settings, "2026-02-09")


def test_power_users(settings: Settings) -> None:
    day20 = product(settings, "2026-02-20")
    # 02-14..02-20 success days: P1 16 17 18 19 20 = 5 (>= 4: power user); P3 17 (J7 failed); P4 19
    assert (day20[("power_users", "global")], day20[("power_users", OA)], day20[("power_users", OB)]) == (1, 1, 0)
    assert day20[("power_user_share", "global")] == pytest.approx(1 / 3)  # / WAU 3
    assert day20[("power_user_share", OA)] == pytest.approx(1 / 2)
    assert day20[("power_user_share", OB)] == pytest.approx(0.0)
    # 02-18: window 02-12..02-18, P1 has 16 17 18 = 3 days -> nobody
    assert product(settings, "2026-02-18")[("power_users", "global")] == 0
    # 02-19: P1 16..19 = 4 -> 1
    assert product(settings, "2026-02-19")[("power_users", "global")] == 1

    mart = {r["provider_id"]: r for r in rows(settings, "select * from {core}.mart_product_power_users")}
    assert set(mart) == {P1, P2, P3, P4}
    assert mart[P1] == {
        "as_of_date": date(2026, 2, 20),
        "provider_id": P1,
        "org_id": OA,
        "role": "doctor",
        "success_days_7d": 5,
        "successful_jobs_28d": 5,  # J3 J4 J6 J8 J10
        "is_power_user": True,
    }
    # P3: J5 in the 7 days; J1 (02-10) and J5 in the 28 days (01-24..02-20)
    assert (mart[P3]["success_days_7d"], mart[P3]["successful_jobs_28d"], mart[P3]["is_power_user"]) == (1, 2, False)
    assert (mart[P4]["success_days_7d"], mart[P4]["successful_jobs_28d"]) == (1, 2)  # J9; J2 and J9
    assert (mart[P2]["role"], mart[P2]["success_days_7d"], mart[P2]["is_power_user"]) == ("nurse", 0, False)


def test_retention_cohorts(settings: Settings) -> None:
    found = rows(settings, "select * from {core}.mart_product_retention_cohorts")
    cohorts = {(r["entity_id"], r["cohort_week"], r["weeks_since_join"]): r for r in found}
    nov24 = date(2025, 11, 24)
    # cohort 11-24 (P1 11-24, P2 11-25): weeks 0..12 up to the as-of week 02-16 -> 13 rows per entity;
    # global 13 + (02-02: 3) + (02-09: 2) = 18; A 13 + 2 = 15; B 3
    assert len(found) == 18 + 15 + 3
    week = {
        k: (cohorts[("global", nov24, k)]["retained_providers"], cohorts[("global", nov24, k)]["retention_rate"])
        for k in (0, 1, 4, 11, 12)
    }
    assert week[0] == (2, pytest.approx(1.0))  # both joined that week
    assert week[1] == (1, pytest.approx(0.5))  # week of 12-01: P1
    assert week[4] == (2, pytest.approx(1.0))  # week of 12-22: P1 (12-22), P2 (12-23)
    assert week[11] == (1, pytest.approx(0.5))  # week of 02-09: P2
    assert week[12] == (1, pytest.approx(0.5))  # week of 02-16: P1
    assert cohorts[("global", nov24, 12)]["activity_week"] == date(2026, 2, 16)
    assert cohorts[("global", nov24, 12)]["cohort_providers"] == 2
    assert cohorts[("global", nov24, 2)]["retained_providers"] == 0  # week of 12-08: nobody
    assert cohorts[(OA, nov24, 4)]["retention_rate"] == pytest.approx(1.0)
    # cohort 02-09 = P3: active in weeks 02-09 and 02-16
    assert cohorts[(OA, date(2026, 2, 9), 1)]["retention_rate"] == pytest.approx(1.0)
    # cohort 02-02 = P4 (B): weeks 02-02, 02-09 (02-12), 02-16 (02-19)
    assert [cohorts[(OB, date(2026, 2, 2), k)]["retained_providers"] for k in (0, 1, 2)] == [1, 1, 1]


def test_lifecycle(settings: Settings) -> None:
    found = rows(settings, "select * from {core}.mart_product_lifecycle")
    stages = {
        (r["entity_id"], r["week_start"]): (
            r["lifecycle_new_providers"],
            r["lifecycle_returning_providers"],
            r["lifecycle_resurrecting_providers"],
            r["lifecycle_dormant_providers"],
            r["lifecycle_active_providers"],
        )
        for r in found
    }
    # weeks 11-24 .. 02-16 = 13 for global and A, 3 for B
    assert len(found) == 13 + 13 + 3
    # (new, returning, resurrecting, dormant, active)
    assert stages[("global", date(2025, 11, 24))] == (2, 0, 0, 0, 2)  # P1, P2 join
    assert stages[("global", date(2025, 12, 1))] == (0, 1, 0, 1, 1)  # P1 again; P2 gone
    assert stages[("global", date(2025, 12, 8))] == (0, 0, 0, 1, 0)  # P1 gone
    assert stages[("global", date(2025, 12, 15))] == (0, 0, 0, 0, 0)
    assert stages[("global", date(2025, 12, 22))] == (0, 0, 2, 0, 2)  # both back
    assert stages[("global", date(2025, 12, 29))] == (0, 0, 0, 2, 0)
    assert stages[("global", date(2026, 2, 2))] == (1, 0, 0, 0, 1)  # P4 joins
    # 02-09: P3 new, P4 returning, P2 resurrecting (last active 12-23)
    assert stages[("global", date(2026, 2, 9))] == (1, 1, 1, 0, 3)
    # 02-16: P3, P4 returning; P1 resurrecting; P2 dormant
    assert stages[("global", date(2026, 2, 16))] == (0, 2, 1, 1, 3)
    assert stages[(OA, date(2026, 2, 16))] == (0, 1, 1, 1, 2)
    assert stages[(OB, date(2026, 2, 16))] == (0, 1, 0, 0, 1)


def test_feature_adoption_mart(settings: Settings) -> None:
    found = rows(settings, "select * from {core}.mart_product_feature_adoption")
    # (13 global + 13 A + 3 B weeks) x (note, auto_coding)
    assert len(found) == (13 + 13 + 3) * 2
    by_key = {(r["entity_id"], r["week_start"], r["feature"]): r for r in found}
    # week 02-16 global: jobs J3..J10 = 8, auto J4 J10 = 2; providers P1 P3 P4, auto P1
    auto = by_key[("global", date(2026, 2, 16), "auto_coding")]
    assert (auto["feature_jobs"], auto["feature_providers"], auto["total_jobs"], auto["total_job_providers"]) == (
        2,
        1,
        8,
        3,
    )
    assert auto["feature_job_share"] == pytest.approx(0.25)
    assert auto["feature_provider_share"] == pytest.approx(1 / 3)
    note = by_key[("global", date(2026, 2, 16), "note")]
    assert note["feature_job_share"] == pytest.approx(0.75)
    assert note["feature_provider_share"] == pytest.approx(1.0)
    # week 02-09 B: J2 auto only -> note 0 of 1
    b_note = by_key[(OB, date(2026, 2, 9), "note")]
    assert (b_note["feature_jobs"], b_note["total_jobs"], b_note["feature_job_share"]) == (0, 1, pytest.approx(0.0))
    # a week without jobs: counts 0, shares undefined
    quiet = by_key[("global", date(2025, 12, 1), "note")]
    assert (quiet["total_jobs"], quiet["feature_job_share"], quiet["feature_provider_share"]) == (0, None, None)
