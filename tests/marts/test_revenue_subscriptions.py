"""MRR from Stripe subscription states: the scenarios of ``revenue_scenarios`` (hand-computed answers in its
docstring), sent as signed-webhook payloads, flattened and built, on DuckDB and PostgreSQL, under both
churn settings."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.marts.metrics_dataset import rows
from tests.marts.revenue_scenarios import AS_OF, ORG, RATES, delivered_out_of_order, story
from tests.transform.transform_dataset import engine_warehouse
from vitals.config import Settings
from vitals.ingest.files import load_directory
from vitals.stripe import store
from vitals.stripe.flatten import flatten
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import BuildResult, build

BUILDS = [
    pytest.param((engine, churn), id=f"{engine}-{churn}", marks=[pytest.mark.postgres] if engine == "postgres" else [])
    for engine in ("duckdb", "postgres")
    for churn in ("period_end", "cancellation")
]
SELECT = (
    "+mart_revenue_monthly +mart_revenue_cohorts +organizations +providers +sessions assert_revenue_bridge"
    " warn_revenue_currencies_without_rates"
)


def _land_and_build(
    settings: Settings, events: list[dict[str, Any]], directory: Path, *, tests: bool | None = None
) -> BuildResult:
    with open_warehouse(settings) as warehouse:
        store.ensure_tables(warehouse)
        for event in events:
            store.store_event(warehouse, json.dumps(event), event)
        flatten(warehouse, settings.stripe)
    rates = directory / "rates"
    rates.mkdir()
    with (rates / "currency_rates.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["currency", "rate_date", "rate"])
        writer.writeheader()
        writer.writerows(RATES)
    load_directory(settings, rates)
    result = build(settings, as_of=datetime.fromisoformat(AS_OF), select=SELECT, tests=tests)
    assert result.success and not result.failures()
    return result


@pytest.fixture(scope="module", params=BUILDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    engine, churn = request.param
    directory = tmp_path_factory.mktemp(f"subs-{engine}-{churn}")
    stripe = {"churn_recognition": churn}
    with engine_warehouse(engine, directory, timezone="UTC", stripe=stripe) as settings:
        _land_and_build(settings, story().events, directory)
        yield settings, churn


def mrr(settings: Settings, org: str, day: str) -> int | None:
    found = rows(
        settings,
        f"select mrr_cents from {{core}}.mart_revenue_mrr_daily where org_id = '{ORG[org]}' and metric_date = '{day}'",
    )
    return int(found[0]["mrr_cents"]) if found else None


DAYS = {
    "ANNUAL": {"2026-01-15": 100_000, "2026-03-01": 100_000, "2026-04-20": 100_000},
    "QUARTERLY": {"2026-01-09": None, "2026-01-10": 10_000},
    "BIENNIAL": {"2026-02-01": 20_000},
    "WEEKLY": {"2026-02-02": 4_333},
    "TAXED": {"2026-03-15": 10_000, "2026-04-20": 10_000},
    "COUPON": {"2026-01-01": 24_000, "2026-04-20": 24_000},
    "REPEATING": {"2026-02-28": 9_000, "2026-03-01": 10_000},
    "UPGRADE": {"2026-02-14": 10_000, "2026-02-15": 15_000},
    "TWO_SUBS": {"2026-02-09": 15_000, "2026-02-10": 10_000},
    "REFUNDED": {"2026-02-15": 10_000, "2026-03-15": 10_000},
    "RETURNS": {"2026-01-19": 10_000, "2026-01-20": 0, "2026-03-04": 0, "2026-03-05": 8_000},
    "IN_AND_OUT": {"2026-02-10": 10_000, "2026-02-20": 0, "2026-02-28": 0},
    "PAST_DUE": {"2026-03-02": 10_000, "2026-03-03": 0},
    "PAST_DUE_NOW": {"2026-01-15": 10_000, "2026-04-20": 10_000},
    "EURO": {"2026-02-28": 11_000, "2026-03-01": 12_000},
    "YEN": {"2026-01-15": 10_200},
    "TRIAL": {"2026-01-23": 0, "2026-01-24": 10_000},
    "POUND": {"2026-01-15": 0},
}
AT_PERIOD_END = {
    "period_end": {"2026-02-09": 10_000, "2026-02-28": 10_000, "2026-03-01": 0},
    "cancellation": {"2026-02-09": 10_000, "2026-02-10": 0, "2026-02-28": 0},
}


@pytest.mark.parametrize("org", sorted(DAYS))
def test_daily_mrr(built: tuple[Settings, str], org: str) -> None:
    settings, _ = built
    assert {day: mrr(settings, org, day) for day in DAYS[org]} == DAYS[org]


def test_cancel_at_period_end_under_each_churn_setting(built: tuple[Settings, str]) -> None:
    settings, churn = built
    expected = AT_PERIOD_END[churn]
    assert {day: mrr(settings, "AT_PERIOD_END", day) for day in expected} == expected


def movements(settings: Settings, month: str) -> dict[str, tuple[str, int, int]]:
    found = rows(
        settings,
        "select org_id, movement, start_mrr_cents, end_mrr_cents, new_mrr_cents, expansion_mrr_cents, "
        "reactivation_mrr_cents, contraction_mrr_cents, churned_mrr_cents "
        f"from {{core}}.mart_revenue_movements_monthly where month_start = '{month}'",
    )
    names = {v: k for k, v in ORG.items()}
    result = {}
    for r in found:
        moved = {
            "new": r["new_mrr_cents"],
            "expansion": r["expansion_mrr_cents"],
            "reactivation": r["reactivation_mrr_cents"],
            "contraction": r["contraction_mrr_cents"],
            "churn": r["churned_mrr_cents"],
        }
        amount = moved.get(r["movement"], 0)
        assert sum(int(v) for v in moved.values()) == int(amount), "exactly one movement per org and month"
        result[names[r["org_id"]]] = (r["movement"], int(r["start_mrr_cents"]), int(r["end_mrr_cents"]))
    return result


def test_movements_in_january(built: tuple[Settings, str]) -> None:
    settings, _ = built
    assert movements(settings, "2026-01-01") == {
        "ANNUAL": ("retained", 100_000, 100_000),
        "QUARTERLY": ("new", 0, 10_000),
        "BIENNIAL": ("new", 0, 20_000),
        "COUPON": ("new", 0, 24_000),
        "REPEATING": ("new", 0, 9_000),
        "UPGRADE": ("retained", 10_000, 10_000),
        "TWO_SUBS": ("retained", 15_000, 15_000),
        "AT_PERIOD_END": ("retained", 10_000, 10_000),
        "REFUNDED": ("new", 0, 10_000),
        "RETURNS": ("churn", 10_000, 0),
        "PAST_DUE": ("retained", 10_000, 10_000),
        "PAST_DUE_NOW": ("new", 0, 10_000),
        "EURO": ("new", 0, 11_000),
        "YEN": ("new", 0, 10_200),
        "TRIAL": ("new", 0, 10_000),
        "POUND": ("inactive", 0, 0),
    }


def test_movements_in_february(built: tuple[Settings, str]) -> None:
    settings, churn = built
    found = movements(settings, "2026-02-01")
    assert {
        k: found[k] for k in ("WEEKLY", "UPGRADE", "TWO_SUBS", "IN_AND_OUT", "REFUNDED", "RETURNS", "PAST_DUE")
    } == {
        "WEEKLY": ("new", 0, 4_333),
        "UPGRADE": ("expansion", 10_000, 15_000),  # the price difference only: the proration line is ignored
        "TWO_SUBS": ("contraction", 15_000, 10_000),  # one of two subscriptions cancelled: not churn
        "IN_AND_OUT": ("inactive", 0, 0),  # signed up and cancelled within the month
        "REFUNDED": ("retained", 10_000, 10_000),  # a refund without cancellation changes nothing
        "RETURNS": ("inactive", 0, 0),
        "PAST_DUE": ("retained", 10_000, 10_000),  # within the grace days at the month end
    }
    assert found["AT_PERIOD_END"] == (("retained", 10_000, 10_000) if churn == "period_end" else ("churn", 10_000, 0))


def test_movements_in_march(built: tuple[Settings, str]) -> None:
    settings, churn = built
    found = movements(settings, "2026-03-01")
    assert {k: found[k] for k in ("ANNUAL", "REPEATING", "RETURNS", "PAST_DUE", "EURO", "TAXED")} == {
        "ANNUAL": ("retained", 100_000, 100_000),  # the renewal is no movement
        "REPEATING": ("expansion", 9_000, 10_000),  # the repeating coupon ended
        "RETURNS": ("reactivation", 0, 8_000),  # a return after churn: never new
        "PAST_DUE": ("churn", 10_000, 0),  # past due beyond the grace days
        "EURO": ("expansion", 11_000, 12_000),  # the same €100 at the new rate
        "TAXED": ("new", 0, 10_000),  # tax excluded
    }
    assert found["AT_PERIOD_END"] == (("churn", 10_000, 0) if churn == "period_end" else ("inactive", 0, 0))


def test_as_of_day_equals_organizations_and_names_its_source(built: tuple[Settings, str]) -> None:
    settings, _ = built
    daily = rows(
        settings,
        "select org_id, mrr_cents, mrr_source from {core}.mart_revenue_mrr_daily where metric_date = '2026-04-20'",
    )
    orgs = rows(settings, "select org_id, mrr_cents from {core}.organizations")
    assert {r["org_id"]: int(r["mrr_cents"]) for r in daily} == {
        r["org_id"]: int(r["mrr_cents"]) for r in orgs if r["org_id"] in {d["org_id"] for d in daily}
    }
    sources = {r["org_id"]: r["mrr_source"] for r in daily}
    assert sources[ORG["TAXED"]] == sources[ORG["REFUNDED"]] == "invoices"
    assert sources[ORG["ANNUAL"]] == sources[ORG["EURO"]] == "subscriptions"


def test_an_amount_without_a_rate_is_flagged(built: tuple[Settings, str]) -> None:
    settings, _ = built
    flagged = rows(
        settings,
        "select distinct org_id from intermediate.int_revenue_mrr_daily where has_unconverted_amount",
    )
    assert [r["org_id"] for r in flagged] == [ORG["POUND"]]


def test_out_of_order_delivery_gives_the_same_answers(tmp_path: Path) -> None:
    """Every event delivered newest first (DuckDB): the states still apply in their own order."""
    with engine_warehouse("duckdb", tmp_path, timezone="UTC") as settings:
        # with the data tests: their warning names the currency without a rate
        result = _land_and_build(settings, delivered_out_of_order(story().events), tmp_path, tests=True)
        assert [n.name for n in result.warnings()] == ["warn_revenue_currencies_without_rates"]  # POUND has no rate
        expected = {org: days for org, days in DAYS.items()} | {"AT_PERIOD_END": AT_PERIOD_END["period_end"]}
        found = {org: {day: mrr(settings, org, day) for day in days} for org, days in expected.items()}
        assert found == expected


def test_logo_and_revenue_cohort_retention(built: tuple[Settings, str]) -> None:
    """December 2025's cohort: UPGRADE 10,000, TWO_SUBS 15,000, AT_PERIOD_END 10,000, RETURNS 10,000 and
    PAST_DUE 10,000 = 5 orgs and 55,000 at December's end. January: RETURNS churned (4 orgs, 45,000);
    February: UPGRADE 15,000 + TWO_SUBS 10,000 + AT_PERIOD_END 10,000 (0 when churn counts at cancellation)
    + PAST_DUE 10,000; March and April: AT_PERIOD_END and PAST_DUE gone, RETURNS back at 8,000 (3 orgs,
    33,000: 60% of logos and of revenue). February 2026's cohort: WEEKLY 4,333 and IN_AND_OUT (0 at the
    month's end)."""
    settings, churn = built
    found = rows(
        settings,
        "select cohort_month, months_since_start, cohort_orgs, retained_orgs, cohort_mrr_cents, retained_mrr_cents, "
        "logo_retention, revenue_retention from {core}.mart_revenue_cohorts order by 1, 2",
    )
    table = {
        (str(r["cohort_month"]), int(r["months_since_start"])): (
            int(r["cohort_orgs"]),
            int(r["retained_orgs"]),
            int(r["cohort_mrr_cents"]),
            int(r["retained_mrr_cents"]),
        )
        for r in found
    }
    february = (5, 4, 55_000, 45_000) if churn == "period_end" else (5, 3, 55_000, 35_000)
    assert [table[("2025-12-01", m)] for m in range(5)] == [
        (5, 5, 55_000, 55_000),
        (5, 4, 55_000, 45_000),
        february,
        (5, 3, 55_000, 33_000),
        (5, 3, 55_000, 33_000),
    ]
    assert table[("2026-02-01", 0)] == (2, 1, 4_333, 4_333)
    april = next(r for r in found if str(r["cohort_month"]) == "2025-12-01" and r["months_since_start"] == 4)
    assert (april["logo_retention"], april["revenue_retention"]) == pytest.approx((0.6, 0.6))
    assert ("2025-03-01", 13) in table and table[("2025-03-01", 13)] == (1, 1, 100_000, 100_000)  # ANNUAL
