"""Daily MRR from invoices (SPEC §6.4) on a hand-built set of invoices, once per engine.

Business time zone America/Los_Angeles; as of 2026-03-10 20:00 UTC (13:00 PDT, two days after the
switch to daylight time). Invoice periods start at local midnight.

- A, monthly: Jan 10 000 (paid), Feb 15 000 (paid), Mar 15 000 (open) -> 10 000 in January, 15 000 after.
- B, annual: 2026-01-15 .. 2027-01-15 at 100 000 a month ($12,000 a year), a void invoice that must not
  count, and from March 1 a monthly invoice at 130 000: the latest covering invoice wins.
- C: an uncollectible January invoice (counts as none), then Feb 10 .. Mar 10 at 20 000 with the churn
  flag: it counts until its period end, 2026-03-10 00:00 PDT, so C is 0 on the as-of day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from tests.marts.metrics_dataset import metric_values, rows
from tests.transform.transform_dataset import OA, OB, OC, engine_warehouse, invoice, land
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
AS_OF = datetime(2026, 3, 10, 20, 0, 0)


def _invoice(invoice_id: str, org: str, start: str, end: str, status: str, mrr: int, churn: bool = False) -> dict:  # type: ignore[type-arg]
    return invoice(
        invoice_id,
        org,
        start=start,
        end=end,
        status=status,
        mrr=str(mrr),
        product="Pro",
        quantity="5",
        customer=f"cus_{org[:4]}",
        churn="true" if churn else "false",
    )


INVOICES = [
    _invoice("in_A1", OA, "2026-01-01 08:00:00", "2026-02-01 08:00:00", "paid", 10_000),
    _invoice("in_A2", OA, "2026-02-01 08:00:00", "2026-03-01 08:00:00", "paid", 15_000),
    _invoice("in_A3", OA, "2026-03-01 08:00:00", "2026-04-01 07:00:00", "open", 15_000),
    _invoice("in_B1", OB, "2026-01-15 08:00:00", "2027-01-15 08:00:00", "paid", 100_000),
    _invoice("in_B2", OB, "2026-02-01 08:00:00", "2026-03-01 08:00:00", "void", 50_000),
    _invoice("in_B3", OB, "2026-03-01 08:00:00", "2026-04-01 07:00:00", "paid", 130_000),
    _invoice("in_C0", OC, "2026-01-10 08:00:00", "2026-02-10 08:00:00", "uncollectible", 20_000),
    _invoice("in_C1", OC, "2026-02-10 08:00:00", "2026-03-10 07:00:00", "paid", 20_000, churn=True),
]


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with engine_warehouse(request.param, tmp_path_factory.mktemp(f"revenue-{request.param}")) as built:
        land(built, [], INVOICES, [])
        result = build(built, as_of=AS_OF, select="+metrics_daily__revenue +organizations +providers +sessions")
        assert result.success and not result.failures()
        yield built


def mrr(settings: Settings, day: str) -> dict[str, int]:
    found = rows(settings, f"select org_id, mrr_cents from {{core}}.mart_revenue_mrr_daily where metric_date = '{day}'")
    return {r["org_id"]: int(r["mrr_cents"]) for r in found}


def test_each_org_has_every_day_from_its_first_billed_day(settings: Settings) -> None:
    found = rows(
        settings,
        "select org_id, min(metric_date) as first_day, max(metric_date) as last_day, count(*) as n"
        " from {core}.mart_revenue_mrr_daily group by org_id",
    )
    spans = {r["org_id"]: (r["first_day"], r["last_day"], r["n"]) for r in found}
    # A: 01-01 .. 03-10 = 31 + 28 + 10; B: 01-15 .. 03-10 = 17 + 28 + 10; C: 02-10 .. 03-10 = 19 + 10
    # (C's uncollectible January invoice does not start it)
    assert spans == {
        OA: (date(2026, 1, 1), date(2026, 3, 10), 69),
        OB: (date(2026, 1, 15), date(2026, 3, 10), 55),
        OC: (date(2026, 2, 10), date(2026, 3, 10), 29),
    }


def test_the_covering_invoice_sets_the_day(settings: Settings) -> None:
    assert mrr(settings, "2026-01-14") == {OA: 10_000}
    # the last day of A's January period, and B's annual invoice in its first month
    assert mrr(settings, "2026-01-31") == {OA: 10_000, OB: 100_000}
    # February: A's new period, B's void invoice ignored, C's first paid period
    assert mrr(settings, "2026-02-15") == {OA: 15_000, OB: 100_000, OC: 20_000}
    # March: B's monthly invoice starts later than the annual one and wins; 03-08 is the DST switch
    assert mrr(settings, "2026-03-08") == {OA: 15_000, OB: 130_000, OC: 20_000}
    # C's churn-flagged invoice counts through its last day
    assert mrr(settings, "2026-03-09") == {OA: 15_000, OB: 130_000, OC: 20_000}


def test_the_as_of_day_matches_organizations(settings: Settings) -> None:
    # A's open invoice covers the as-of time; C's period ended at 07:00 UTC
    assert mrr(settings, "2026-03-10") == {OA: 15_000, OB: 130_000, OC: 0}
    orgs = rows(settings, "select org_id, mrr_cents from {core}.organizations")
    assert {r["org_id"]: int(r["mrr_cents"]) for r in orgs} == mrr(settings, "2026-03-10")


def test_global_revenue_metrics(settings: Settings) -> None:
    jan20 = metric_values(settings, "metrics_daily__revenue", "2026-01-20")
    assert jan20[("mrr_cents", "global")] == 110_000
    assert jan20[("arr_cents", "global")] == 1_320_000
    assert jan20[("paying_orgs", "global")] == 2
    assert jan20[("arpa_cents", "global")] == 55_000
    assert jan20[("mrr_cents", OB)] == 100_000
    assert jan20[("arr_cents", OB)] == 1_200_000
    feb15 = metric_values(settings, "metrics_daily__revenue", "2026-02-15")
    assert (feb15[("mrr_cents", "global")], feb15[("paying_orgs", "global")]) == (135_000, 3)
    assert feb15[("arpa_cents", "global")] == 45_000
    mar10 = metric_values(settings, "metrics_daily__revenue", "2026-03-10")
    # C is 0 and not paying: 145 000 over 2 orgs
    assert (mar10[("mrr_cents", "global")], mar10[("paying_orgs", "global")]) == (145_000, 2)
    assert mar10[("arpa_cents", "global")] == 72_500
    assert mar10[("mrr_cents", OC)] == 0
