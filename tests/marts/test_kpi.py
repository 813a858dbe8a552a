"""The KPI marts (SPEC §6.2) on the hand-built dataset of ``metrics_dataset``, once per engine.

Successful jobs are dated by their completion day; a doctor is a provider with role doctor. The job
table in ``metrics_dataset`` is the source of every number below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.marts.metrics_dataset import OA, OB, built_marts, metric_values, rows
from vitals.config import Settings

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
MODELS = ["metrics_daily__kpi", "mart_kpi_daily"]


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with built_marts(request.param, tmp_path_factory.mktemp(f"kpi-{request.param}"), MODELS) as built:
        yield built


def kpi(settings: Settings, day: str) -> dict[tuple[str, str], float]:
    return metric_values(settings, "metrics_daily__kpi", day)


def test_long_form_shape(settings: Settings) -> None:
    found = rows(
        settings,
        "select min(metric_date) as first_day, max(metric_date) as last_day, count(*) as n,"
        " count(distinct metric_date) as days from {core}.metrics_daily__kpi"
        " where metric_name = 'dad' and entity_type = 'global'",
    )[0]
    # global: 2025-11-24 (a01, the first event) .. 2026-02-20 (as-of) = 7 + 31 + 31 + 20 = 89 days
    assert found == {"first_day": date(2025, 11, 24), "last_day": date(2026, 2, 20), "n": 89, "days": 89}
    # org B starts on its first event day (2026-02-02): 02-02 .. 02-20 = 19 days
    org_b = rows(
        settings,
        f"select count(*) as n from {{core}}.metrics_daily__kpi where metric_name = 'dad' and entity_id = '{OB}'",
    )
    assert org_b == [{"n": 19}]
    # one row per key
    dupes = rows(
        settings,
        "select count(*) as n from (select metric_date, metric_name, entity_type, entity_id"
        " from {core}.metrics_daily__kpi group by metric_date, metric_name, entity_type, entity_id"
        " having count(*) > 1) as d",
    )
    assert dupes == [{"n": 0}]


def test_dad_and_successful_jobs(settings: Settings) -> None:
    day17 = kpi(settings, "2026-02-17")
    # 02-17: J4 (P1) and J5 (P3) succeed; both doctors of A
    assert day17[("dad", "global")] == 2
    assert day17[("dad", OA)] == 2
    assert day17[("dad", OB)] == 0
    assert day17[("successful_jobs", "global")] == 2
    day19 = kpi(settings, "2026-02-19")
    # 02-19: J8 (P1, A) and J9 (P4, B)
    assert (day19[("dad", "global")], day19[("dad", OA)], day19[("dad", OB)]) == (2, 1, 1)
    # 02-18: J6 succeeds (P1); J7 (P3) fails -> only P1
    assert kpi(settings, "2026-02-18")[("dad", "global")] == 1
    # a quiet day counts 0
    assert kpi(settings, "2026-02-14")[("dad", "global")] == 0


def test_npad(settings: Settings) -> None:
    day20 = kpi(settings, "2026-02-20")
    # window 02-14 .. 02-20: doctors' successful jobs J3 J4 J5 J6 J8 J9 J10 = 7 (J7 failed);
    # active doctors P1, P3, P4 = 3 -> 7 / 3
    assert day20[("doctor_successful_jobs_7d", "global")] == 7
    assert day20[("active_doctors_7d", "global")] == 3
    assert day20[("npad", "global")] == pytest.approx(7 / 3)
    # A: J3 J4 J5 J6 J8 J10 = 6 over P1, P3 -> 3.0; B: J9 over P4 -> 1.0
    assert day20[("npad", OA)] == pytest.approx(3.0)
    assert day20[("npad", OB)] == pytest.approx(1.0)
    # 02-09: no successful job in 02-03 .. 02-09 -> npad undefined, row omitted
    day9 = kpi(settings, "2026-02-09")
    assert ("npad", "global") not in day9
    assert day9[("active_doctors_7d", "global")] == 0


def test_new_doctor_activation_rate(settings: Settings) -> None:
    # day 02-15: cohort = doctors who joined 02-03 .. 02-09: P4 (02-03; first success 02-12 >
    # 02-03 + 6 = 02-09: not activated) and P3 (02-09; first success 02-10 <= 02-15: activated)
    day15 = kpi(settings, "2026-02-15")
    assert day15[("activation_cohort_doctors", "global")] == 2
    assert day15[("activated_doctors", "global")] == 1
    assert day15[("new_doctor_activation_rate", "global")] == pytest.approx(0.5)
    assert day15[("new_doctor_activation_rate", OA)] == pytest.approx(1.0)  # P3: 1 / 1
    assert day15[("new_doctor_activation_rate", OB)] == pytest.approx(0.0)  # P4: 0 / 1
    # day 02-16: cohort 02-04 .. 02-10 = P3 only -> 1.0; B has no cohort -> no row
    day16 = kpi(settings, "2026-02-16")
    assert day16[("new_doctor_activation_rate", "global")] == pytest.approx(1.0)
    assert ("new_doctor_activation_rate", OB) not in day16
    assert day16[("activation_cohort_doctors", OB)] == 0
    # day 2025-12-01: cohort 11-19 .. 11-25 = P1 (doctor; first success 02-16: not within 7 days);
    # P2 is a nurse -> 0 / 1
    assert kpi(settings, "2025-12-01")[("new_doctor_activation_rate", "global")] == pytest.approx(0.0)


def test_quality_pass_rate_7d(settings: Settings) -> None:
    day20 = kpi(settings, "2026-02-20")
    # 02-14 .. 02-20: J3 pass, J4 0.5 fail, J5 0.7 pass, J6 pass, J8 no score fail, J9 pass, J10 pass
    assert day20[("successful_jobs_7d", "global")] == 7
    assert day20[("quality_passed_jobs_7d", "global")] == 5
    assert day20[("quality_pass_rate_7d", "global")] == pytest.approx(5 / 7)
    assert day20[("quality_pass_rate_7d", OA)] == pytest.approx(4 / 6)  # J3 J5 J6 J10 of J3 J4 J5 J6 J8 J10
    assert day20[("quality_pass_rate_7d", OB)] == pytest.approx(1.0)  # J9
    day16 = kpi(settings, "2026-02-16")
    # 02-10 .. 02-16: J1 pass, J2 hard error fail, J3 pass -> 2 / 3; B: J2 -> 0 / 1
    assert day16[("quality_pass_rate_7d", "global")] == pytest.approx(2 / 3)
    assert day16[("quality_pass_rate_7d", OB)] == pytest.approx(0.0)
    assert day16[("quality_pass_rate_7d", OA)] == pytest.approx(1.0)


def test_mart_kpi_daily(settings: Settings) -> None:
    mart = rows(settings, "select * from {core}.mart_kpi_daily order by org_id, metric_date")
    # A: 2025-11-24 .. 2026-02-20 = 89 days; B: 19 days; no global rows
    assert len(mart) == 89 + 19
    assert {r["org_id"] for r in mart} == {OA, OB}
    b20 = next(r for r in mart if r["org_id"] == OB and r["metric_date"] == date(2026, 2, 20))
    assert b20 == {
        "metric_date": date(2026, 2, 20),
        "org_id": OB,
        "dad": 0,
        "successful_jobs": 0,
        "active_doctors_7d": 1,  # P4 (J9 on 02-19)
        "doctor_successful_jobs_7d": 1,
        "npad": pytest.approx(1.0),
        "activation_cohort_doctors": 0,  # no doctor of B joined 02-08 .. 02-14
        "activated_doctors": 0,
        "new_doctor_activation_rate": None,
        "successful_jobs_7d": 1,
        "quality_passed_jobs_7d": 1,
        "quality_pass_rate_7d": pytest.approx(1.0),
    }
    # the wide mart and the long form agree
    a17 = next(r for r in mart if r["org_id"] == OA and r["metric_date"] == date(2026, 2, 17))
    long17 = kpi(settings, "2026-02-17")
    for name in ("dad", "npad", "quality_pass_rate_7d", "successful_jobs"):
        assert a17[name] == pytest.approx(long17[(name, OA)])
