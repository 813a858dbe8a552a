"""Daily MRR from invoices (SPEC §6.4) on a hand-built set of invoices, once per engine.

Business time zone America/Los_Angeles; as of 2026-03-10 20:00 UTC (13:00 PDT, two days after the
switch to daylight time). Invoice periods start at local midnight.

- A, monthly: Jan 10 000 (paid), Feb 15 000 (paid), Mar 15 000 (open) -> 10 000 in January, 15 000 after.
- B, annual: 2026-01-15 .. 2027-01-15 at 100 000 a month ($12,000 a year), a void invoice that must not
  count, and from March 1 a monthly invoice at 130 000: the latest covering invoice wins.
- C: an uncollectible January invoice (counts as none), then Feb 10 .. Mar 10 at 20 000 with the churn
  flag: it counts until its period end, 2026-03-10 00:00 PDT, so C is 0 on the as-of day.
- D: Jan 5 .. Feb 5 at 5 000, nothing in February, back from March 1 at 8 000: new, churn, reactivation.

Month ends (the as-of day for March):  A 10 000 / 15 000 / 15 000;  B 100 000 / 100 000 / 130 000;
C 0 / 20 000 / 0;  D 5 000 / 0 / 8 000.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from tests.conftest import cli_env
from tests.marts.metrics_dataset import metric_values, rows
from tests.transform.transform_dataset import OA, OB, OC, OD, engine_warehouse, invoice, land
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
    _invoice("in_D1", OD, "2026-01-05 08:00:00", "2026-02-05 08:00:00", "paid", 5_000, churn=True),
    _invoice("in_D2", OD, "2026-03-01 08:00:00", "2026-04-01 07:00:00", "paid", 8_000),
]


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with engine_warehouse(request.param, tmp_path_factory.mktemp(f"revenue-{request.param}")) as built:
        land(built, [], INVOICES, [])
        result = build(
            built,
            as_of=AS_OF,
            select="+metrics_daily__revenue +organizations +providers +sessions assert_revenue_bridge",
        )
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
    # (C's uncollectible January invoice does not start it); D: 01-05 .. 03-10 = 27 + 28 + 10
    assert spans == {
        OA: (date(2026, 1, 1), date(2026, 3, 10), 69),
        OB: (date(2026, 1, 15), date(2026, 3, 10), 55),
        OC: (date(2026, 2, 10), date(2026, 3, 10), 29),
        OD: (date(2026, 1, 5), date(2026, 3, 10), 65),
    }


def test_the_covering_invoice_sets_the_day(settings: Settings) -> None:
    assert mrr(settings, "2026-01-14") == {OA: 10_000, OD: 5_000}
    # the last day of A's January period, and B's annual invoice in its first month
    assert mrr(settings, "2026-01-31") == {OA: 10_000, OB: 100_000, OD: 5_000}
    # D's period ended on 02-05 00:00 PST: 02-04 is its last paid day
    assert mrr(settings, "2026-02-04")[OD] == 5_000
    # February: A's new period, B's void invoice ignored, C's first paid period, D gone
    assert mrr(settings, "2026-02-15") == {OA: 15_000, OB: 100_000, OC: 20_000, OD: 0}
    # March: B's monthly invoice starts later than the annual one and wins; 03-08 is the DST switch
    assert mrr(settings, "2026-03-08") == {OA: 15_000, OB: 130_000, OC: 20_000, OD: 8_000}
    # C's churn-flagged invoice counts through its last day
    assert mrr(settings, "2026-03-09") == {OA: 15_000, OB: 130_000, OC: 20_000, OD: 8_000}


def test_the_as_of_day_matches_organizations(settings: Settings) -> None:
    # A's open invoice covers the as-of time; C's period ended at 07:00 UTC
    assert mrr(settings, "2026-03-10") == {OA: 15_000, OB: 130_000, OC: 0, OD: 8_000}
    orgs = rows(settings, "select org_id, mrr_cents from {core}.organizations")
    assert {r["org_id"]: int(r["mrr_cents"]) for r in orgs} == mrr(settings, "2026-03-10")


def test_global_revenue_metrics(settings: Settings) -> None:
    jan20 = metric_values(settings, "metrics_daily__revenue", "2026-01-20")
    assert jan20[("mrr_cents", "global")] == 115_000
    assert jan20[("arr_cents", "global")] == 1_380_000
    assert jan20[("paying_orgs", "global")] == 3
    assert jan20[("arpa_cents", "global")] == pytest.approx(115_000 / 3)
    assert jan20[("mrr_cents", OB)] == 100_000
    assert jan20[("arr_cents", OB)] == 1_200_000
    feb15 = metric_values(settings, "metrics_daily__revenue", "2026-02-15")
    assert (feb15[("mrr_cents", "global")], feb15[("paying_orgs", "global")]) == (135_000, 3)
    assert feb15[("arpa_cents", "global")] == 45_000
    mar10 = metric_values(settings, "metrics_daily__revenue", "2026-03-10")
    # C is 0 and not paying: 15 000 + 130 000 + 8 000 over 3 orgs
    assert (mar10[("mrr_cents", "global")], mar10[("paying_orgs", "global")]) == (153_000, 3)
    assert mar10[("arpa_cents", "global")] == 51_000
    assert mar10[("mrr_cents", OC)] == 0


def movements(settings: Settings, month: str) -> dict[str, tuple[str, int, int, int, int, int, int, int]]:
    found = rows(
        settings,
        "select * from {core}.mart_revenue_movements_monthly where month_start = '" + month + "'",
    )
    return {
        r["org_id"]: (
            r["movement"],
            r["start_mrr_cents"],
            r["new_mrr_cents"],
            r["expansion_mrr_cents"],
            r["reactivation_mrr_cents"],
            r["contraction_mrr_cents"],
            r["churned_mrr_cents"],
            r["end_mrr_cents"],
        )
        for r in found
    }


def test_monthly_movements_per_org(settings: Settings) -> None:
    #                  movement        start   new  expan  react  contr  churn    end
    assert movements(settings, "2026-01-01") == {
        OA: ("new", 0, 10_000, 0, 0, 0, 0, 10_000),
        OB: ("new", 0, 100_000, 0, 0, 0, 0, 100_000),
        OD: ("new", 0, 5_000, 0, 0, 0, 0, 5_000),
    }
    assert movements(settings, "2026-02-01") == {
        OA: ("expansion", 10_000, 0, 5_000, 0, 0, 0, 15_000),
        OB: ("retained", 100_000, 0, 0, 0, 0, 0, 100_000),
        OC: ("new", 0, 20_000, 0, 0, 0, 0, 20_000),
        OD: ("churn", 5_000, 0, 0, 0, 0, 5_000, 0),
    }
    # D's return is a reactivation, never new; C's churn shows in March (its period ended on 03-10)
    assert movements(settings, "2026-03-01") == {
        OA: ("retained", 15_000, 0, 0, 0, 0, 0, 15_000),
        OB: ("expansion", 100_000, 0, 30_000, 0, 0, 0, 130_000),
        OC: ("churn", 20_000, 0, 0, 0, 0, 20_000, 0),
        OD: ("reactivation", 0, 0, 0, 8_000, 0, 0, 8_000),
    }


def test_monthly_bridge_and_ratios(settings: Settings) -> None:
    months = {str(r["month_start"]): r for r in rows(settings, "select * from {core}.mart_revenue_monthly")}
    assert sorted(months) == ["2026-01-01", "2026-02-01", "2026-03-01"]
    jan, feb, mar = months["2026-01-01"], months["2026-02-01"], months["2026-03-01"]
    assert (jan["start_mrr_cents"], jan["new_mrr_cents"], jan["end_mrr_cents"]) == (0, 115_000, 115_000)
    assert jan["nrr"] is None and jan["grr"] is None, "nothing paid at January's start"
    # February: 115 000 + 20 000 new + 5 000 expansion - 5 000 churn = 135 000
    assert (feb["start_mrr_cents"], feb["new_mrr_cents"], feb["expansion_mrr_cents"]) == (115_000, 20_000, 5_000)
    assert (feb["churned_mrr_cents"], feb["end_mrr_cents"]) == (5_000, 135_000)
    # NRR over A, B, D (paying on Jan 31): (15 000 + 100 000 + 0) / 115 000 = 1; GRR = 110 000 / 115 000
    assert feb["nrr"] == pytest.approx(1.0)
    assert feb["grr"] == pytest.approx(110_000 / 115_000)
    assert feb["logo_churn_rate"] == pytest.approx(1 / 3)
    assert feb["revenue_churn_rate"] == pytest.approx(5_000 / 115_000)
    # LTV: ARPA 135 000 / 3 = 45 000 over trailing churn (0 + 1) / (0 + 3) = 1/3 -> 135 000
    assert feb["ltv_cents"] == pytest.approx(135_000)
    # March: 135 000 + 30 000 expansion + 8 000 reactivation - 20 000 churn = 153 000
    assert (mar["expansion_mrr_cents"], mar["reactivation_mrr_cents"], mar["churned_mrr_cents"]) == (
        30_000,
        8_000,
        20_000,
    )
    assert (mar["end_mrr_cents"], mar["end_arr_cents"], mar["customers_end"]) == (153_000, 1_836_000, 3)
    assert (mar["new_customers"], mar["reactivated_customers"], mar["churned_customers"]) == (0, 1, 1)
    # NRR over A, B, C: (15 000 + 130 000 + 0) / 135 000; GRR = (135 000 - 20 000) / 135 000
    assert mar["nrr"] == pytest.approx(145_000 / 135_000)
    assert mar["grr"] == pytest.approx(115_000 / 135_000)
    # LTV: ARPA 51 000 over trailing churn (0 + 1 + 1) / (0 + 3 + 3) = 1/3 -> 153 000
    assert mar["ltv_cents"] == pytest.approx(153_000)


def test_monthly_metrics_are_dated_on_the_months_last_day(settings: Settings) -> None:
    feb28 = metric_values(settings, "metrics_daily__revenue", "2026-02-28")
    assert feb28[("churned_mrr_cents", OD)] == 5_000
    assert feb28[("new_mrr_cents", "global")] == 20_000
    assert feb28[("grr", "global")] == pytest.approx(110_000 / 115_000)
    mar10 = metric_values(settings, "metrics_daily__revenue", "2026-03-10")
    assert mar10[("reactivation_mrr_cents", OD)] == 8_000
    assert mar10[("nrr", "global")] == pytest.approx(145_000 / 135_000)
    assert ("nrr", "global") not in metric_values(settings, "metrics_daily__revenue", "2026-01-31")
    assert ("nrr", "global") not in metric_values(settings, "metrics_daily__revenue", "2026-02-27")


def test_revenue_command_prints_the_bridge(settings: Settings) -> None:
    from typer.testing import CliRunner

    from vitals.cli import app

    result = CliRunner().invoke(app, ["revenue", "--month", "2026-02", "--months", "2"], env=cli_env(settings))
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0].strip(): line for line in result.output.splitlines() if line.strip()}
    assert "2026-01" in result.output and "2026-02" in result.output and "2026-03" not in result.output
    assert lines["MRR at start"].split()[-2:] == ["$0", "$1,150"]
    assert lines["new"].split()[-2:] == ["+$1,150", "+$200"]
    assert lines["churn"].split()[-1] == "−$50"
    assert lines["MRR at end"].split()[-2:] == ["=$1,150", "=$1,350"]
    assert lines["NRR"].split()[-2:] == ["-", "100.0%"]
    latest = CliRunner().invoke(app, ["revenue", "--months", "1"], env=cli_env(settings))
    assert "2026-03 is month to date (through 2026-03-10)" in latest.output
    missing = CliRunner().invoke(app, ["revenue", "--month", "2025-12"], env=cli_env(settings))
    assert missing.exit_code == 1 and "built months are 2026-01 .. 2026-03" in missing.output
    bad = CliRunner().invoke(app, ["revenue", "--month", "March"], env=cli_env(settings))
    assert bad.exit_code == 1 and "--month must be YYYY-MM" in bad.output


def test_revenue_command_formats(settings: Settings) -> None:
    import json

    from typer.testing import CliRunner

    from vitals.cli import app

    args = ["revenue", "--month", "2026-02", "--months", "2"]
    as_json = CliRunner().invoke(app, [*args, "--format", "json"], env=cli_env(settings))
    assert as_json.exit_code == 0, as_json.output
    months = json.loads(as_json.output)
    assert [(m["month"], m["start_mrr_cents"], m["end_mrr_cents"]) for m in months] == [
        ("2026-01", 0, 115_000),
        ("2026-02", 115_000, 135_000),
    ]
    assert months[1]["new_mrr_cents"] == 20_000 and months[1]["bridge_holds"] is True
    as_csv = CliRunner().invoke(app, [*args, "--format", "csv"], env=cli_env(settings))
    header, *rows = as_csv.output.splitlines()
    assert header.startswith("month,last_day,start_mrr_cents,new_mrr_cents,") and len(rows) == 2


def test_the_bridge_table_wraps_months_into_blocks_that_fit_the_width() -> None:
    from datetime import date

    from vitals.revenue import BRIDGE, RATIOS, MonthBridge, render_bridge

    values = {c: 0 for c, _, _ in (*BRIDGE, *RATIOS)} | {"end_mrr_cents": 0}
    bridges = [MonthBridge(date(2026, m, 1), date(2026, m, 28), values) for m in range(1, 8)]
    text = render_bridge(bridges, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    headers = [line.split() for line in text.splitlines() if line.startswith(" " * 16)]
    assert [month for header in headers for month in header] == [f"2026-{m:02d}" for m in range(1, 8)]
    assert len(headers) == 3
