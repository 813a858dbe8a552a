"""The marketing models on the hand-worked history of ``sales_dataset`` (answers in its docstring), once per
engine, and a warehouse without marketing data, whose metrics say "source not connected"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.marts.sales_dataset import OA, OB, D
from tests.transform.transform_dataset import query
from vitals.config import Settings
from vitals.metrics.series import metric_series


def cac_rows(settings: Settings) -> dict[tuple[date, str], dict[str, Any]]:
    rows = query(settings, "select * from {core}.mart_marketing_cac_monthly")
    return {(r["month_start"], r["channel"]): r for r in rows}


def test_cac_payback_and_ltv_to_cac_blended_and_per_channel(sales_built: Settings) -> None:
    rows = cac_rows(sales_built)
    june = date(2026, 6, 1)
    assert sorted(channel for month, channel in rows if month == june) == ["ads", "all", "webinar"]
    expected = {
        # channel: spend, new paying orgs, CAC, ARPA of the new orgs, payback months, LTV, LTV:CAC
        "all": (105000, 2, 52500, 40000, 1.3125, 200000, 200000 / 52500),
        "ads": (60000, 1, 60000, 50000, 1.2, 250000, 250000 / 60000),
        "webinar": (45000, 1, 45000, 30000, 1.5, 150000, 150000 / 45000),
    }
    for channel, (spend, orgs, cac, arpa, payback, ltv, ratio) in expected.items():
        row = rows[(june, channel)]
        assert (row["spend_cents"], row["new_paying_orgs"]) == (spend, orgs), channel
        assert row["cac_cents"] == pytest.approx(cac), channel
        assert row["new_org_arpa_cents"] == pytest.approx(arpa), channel
        assert row["cac_payback_months"] == pytest.approx(payback), channel
        assert row["revenue_churn_rate"] == pytest.approx(0.2), channel
        assert row["acquired_ltv_cents"] == pytest.approx(ltv), channel
        assert row["ltv_to_cac"] == pytest.approx(ratio), channel
    assert rows[(june, "all")]["last_day"] == D
    may = rows[(date(2026, 5, 1), "all")]
    assert (may["spend_cents"], may["leads"], may["mqls"], may["new_paying_orgs"]) == (10000, 1, 1, 0)
    assert (may["cost_per_lead_cents"], may["cost_per_mql_cents"]) == (pytest.approx(10000), pytest.approx(10000))
    assert (may["cac_cents"], may["cac_payback_months"], may["ltv_to_cac"]) == (None, None, None)
    assert rows[(june, "all")]["cost_per_lead_cents"] == pytest.approx(17500)


def test_funnel_by_channel_and_monthly_cohort(sales_built: Settings) -> None:
    rows = query(sales_built, "select * from {core}.mart_marketing_funnel_cohorts")
    found = {(r["cohort_month"], r["channel"]): r for r in rows}
    june = date(2026, 6, 1)
    steps = ("leads", "mqls", "sqls", "deals", "won_deals")
    assert tuple(found[(june, "ads")][s] for s in steps) == (3, 2, 1, 1, 1)
    assert tuple(found[(june, "webinar")][s] for s in steps) == (3, 2, 1, 1, 1)
    assert tuple(found[(june, "all")][s] for s in steps) == (6, 4, 2, 2, 2)
    ads = found[(june, "ads")]
    assert (ads["lead_to_mql_rate"], ads["mql_to_sql_rate"], ads["lead_to_won_rate"]) == (
        pytest.approx(2 / 3),
        pytest.approx(0.5),
        pytest.approx(1 / 3),
    )
    may = found[(date(2026, 5, 1), "ads")]
    assert tuple(may[s] for s in steps) == (1, 1, 1, 1, 0)
    assert may["deal_to_won_rate"] == 0


def test_daily_leads_spend_and_costs(sales_built: Settings) -> None:
    def values(day: date) -> dict[str, float]:
        sql = f"select metric_name, value from {{core}}.metrics_daily__marketing where metric_date = '{day}'"
        return {r["metric_name"]: r["value"] for r in query(sales_built, sql)}

    on_d = values(D)
    assert on_d["marketing_cost_per_lead_30d_cents"] == pytest.approx(17500)
    assert on_d["marketing_cost_per_mql_30d_cents"] == pytest.approx(26250)
    assert on_d["marketing_cac_cents"] == pytest.approx(52500)
    assert on_d["marketing_cac_payback_months"] == pytest.approx(1.3125)
    assert on_d["marketing_ltv_to_cac"] == pytest.approx(200000 / 52500)
    early = values(date(2026, 6, 3))
    assert (early["marketing_leads"], early["marketing_mqls"]) == (1, 0)
    assert early["marketing_cost_per_lead_30d_cents"] == pytest.approx(10000 / 3), "May 20 spend, 3 leads"
    assert "marketing_cac_cents" not in early, "monthly values are dated on the month's last built day"
    may_end = values(date(2026, 5, 31))
    assert "marketing_cac_cents" not in may_end, "no new paying org in May: no CAC"
    assert values(date(2026, 6, 25))["marketing_spend_cents"] == 15000, "EUR 10000 at 1.5"
    assert values(date(2026, 6, 20))["marketing_mqls"] == 1, "l5's second version"
    days = query(sales_built, "select * from {core}.mart_marketing_channels_daily")
    assert (sum(r["leads"] for r in days), sum(r["spend_cents"] for r in days)) == (7, 115000)
    ads_june_5 = [r for r in days if r["metric_date"] == date(2026, 6, 5) and r["channel"] == "ads"]
    assert [(r["leads"], r["spend_cents"]) for r in ads_june_5] == [(1, 40000)], "'Ads' is the ads channel"


def test_leads_as_they_stand_at_the_as_of_time(sales_built: Settings) -> None:
    leads = {r["lead_id"]: r for r in query(sales_built, "select * from staging.stg_marketing__leads")}
    assert leads["l5"]["mql_at"] is not None, "the newest version wins"
    assert leads["l7"]["mql_at"] is None, "its 07-01 version is after the as-of time"
    assert (leads["l4"]["deal_id"], leads["l4"]["org_id"]) == ("d2", OB)


def test_outcomes_by_acquisition_channel(sales_built: Settings) -> None:
    rows = {
        r["acquisition_channel"]: r for r in query(sales_built, "select * from {core}.mart_marketing_channel_outcomes")
    }
    assert sorted(rows) == ["ads", "webinar"]
    assert (rows["ads"]["orgs"], rows["ads"]["paying_orgs"], rows["webinar"]["paying_orgs"]) == (1, 1, 1)
    assert rows["ads"]["median_days_won_to_first_value"] == pytest.approx(3 + 5 / 1440)
    assert rows["webinar"]["median_days_won_to_first_value"] is None
    assert (rows["ads"]["channel_wap_7d"], rows["webinar"]["orgs_scored"]) == (0, 0)
    found = query(
        sales_built,
        f"select domain, value from {{core}}.metrics_daily where metric_name = 'marketing_ltv_to_cac' "
        f"and metric_date = '{D}'",
    )
    assert found == [{"domain": "marketing", "value": pytest.approx(200000 / 52500)}]
    assert OA in {r["org_id"] for r in query(sales_built, "select org_id from intermediate.int_marketing_org_channels")}


def test_not_connected_builds_without_a_marketing_row(sales_not_loaded: Settings) -> None:
    status = {r["source_name"]: r["connected"] for r in query(sales_not_loaded, "select * from {core}.source_status")}
    assert (status["marketing_spend"], status["marketing_leads"]) == (False, False)
    for model in (
        "metrics_daily__marketing",
        "mart_marketing_channels_daily",
        "mart_marketing_funnel_cohorts",
        "mart_marketing_cac_monthly",
        "mart_marketing_channel_outcomes",
    ):
        assert query(sales_not_loaded, f"select count(*) as n from {{core}}.{model}") == [{"n": 0}], model
    series = metric_series(sales_not_loaded, "marketing_cac_cents")
    assert (series.source_connected, series.points) == (False, [])
