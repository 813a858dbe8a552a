"""The sales models on the hand-worked history of ``sales_dataset`` (answers in its docstring), once per engine;
the settings that change them; an incremental build equal to a full one; and a warehouse without CRM data, whose
sales metrics say "source not connected" instead of a number."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import cli_env, make_settings, normal_value
from tests.marts.sales_dataset import AS_OF, OA, OB, OC, OX, D, deal, land_sales, land_tables
from tests.transform.transform_dataset import query
from vitals.cli import app
from vitals.config import Settings
from vitals.contracts import CRM_DEALS
from vitals.ingest.landing import UTC_TEXT_FORMAT
from vitals.metrics.series import metric_series
from vitals.warehouse.dbt import build


def daily(settings: Settings, day: date) -> dict[str, Any]:
    rows = query(settings, f"select * from {{core}}.mart_sales_daily where metric_date = '{day}'")
    assert len(rows) == 1, day
    return rows[0]


def long_values(settings: Settings, day: date) -> dict[tuple[str, str], float]:
    found = query(settings, f"select * from {{core}}.metrics_daily__sales where metric_date = '{day}'")
    return {(r["metric_name"], r["entity_id"]): r["value"] for r in found}


def test_pipeline_win_rate_cycle_coverage_and_attainment_on_the_as_of_day(sales_built: Settings) -> None:
    row = daily(sales_built, D)
    assert (row["sales_open_deals"], row["sales_pipeline_cents"]) == (4, 240000)
    assert row["sales_weighted_pipeline_cents"] == pytest.approx(175000)
    assert (row["sales_stalled_deals"], row["sales_expansion_pipeline_cents"]) == (1, 40000)
    assert row["sales_closing_this_quarter_cents"] == 140000
    assert (row["sales_won_amount_qtd_cents"], row["sales_quota_quarter_cents"]) == (230000, 500000)
    assert row["sales_pipeline_coverage"] == pytest.approx(140000 / 270000)
    assert (row["sales_won_amount_mtd_cents"], row["sales_quota_month_cents"]) == (200000, 300000)
    assert row["sales_quota_attainment_mtd"] == pytest.approx(2 / 3)
    assert (row["sales_won_deals_90d"], row["sales_lost_deals_90d"]) == (3, 2)
    assert row["sales_win_rate_90d"] == pytest.approx(0.6)
    assert row["sales_win_rate_amount_90d"] == pytest.approx(230000 / 350000)
    assert row["sales_average_deal_size_90d_cents"] == pytest.approx(230000 / 3)
    assert row["sales_median_deal_size_90d_cents"] == pytest.approx(80000)
    assert row["sales_cycle_days_90d"] == pytest.approx(26)


def test_stalled_deals_count_days_without_a_stage_change_or_an_activity(sales_built: Settings) -> None:
    stalled = {day: daily(sales_built, day)["sales_stalled_deals"] for day in (date(2026, 6, d) for d in (23, 24, 25))}
    assert stalled == {date(2026, 6, 23): 1, date(2026, 6, 24): 2, date(2026, 6, 25): 1}
    d4 = query(
        sales_built,
        "select metric_date, days_since_touch, is_stalled from {core}.mart_sales_open_deals_daily "
        "where deal_id = 'd4' and metric_date in ('2026-06-09', '2026-06-23', '2026-06-24') order by metric_date",
    )
    # untouched since its stage (06-02), then since the call of 06-10
    assert [(r["days_since_touch"], r["is_stalled"]) for r in d4] == [(7, False), (13, False), (14, True)]


def test_deals_as_of_each_day_read_the_version_of_that_day(sales_built: Settings) -> None:
    def open_on(day: str) -> dict[str, dict[str, Any]]:
        sql = f"select * from {{core}}.mart_sales_open_deals_daily where metric_date = '{day}'"
        return {r["deal_id"]: r for r in query(sales_built, sql)}

    # d2 closed on 06-15, but its won version was recorded on 06-16: open at the end of 06-15 as known then,
    # and won that day by what is known now
    assert "d2" in open_on("2026-06-15") and "d2" not in open_on("2026-06-16")
    assert daily(sales_built, date(2026, 6, 15))["sales_deals_won"] == 1
    assert open_on("2026-06-15")["d2"]["stage"] == "decisionmakerboughtin"
    assert open_on("2026-06-07")["d2"]["stage"] == "qualifiedtobuy"
    # deleted on 06-18; d9's won version of 07-02 is after the as-of time
    assert "d8" in open_on("2026-06-17") and "d8" not in open_on("2026-06-18")
    on_d = open_on(str(D))
    assert sorted(on_d) == ["d4", "d5", "d6", "d9"]
    assert (on_d["d4"]["amount_cents"], on_d["d4"]["org_id"]) == (100000, OC), "the copy ingested last wins"
    assert on_d["d5"]["amount_cents"] == 90000, "EUR 60000 at 1.5"
    assert on_d["d5"]["weighted_amount_cents"] == pytest.approx(81000)
    assert (on_d["d6"]["is_expansion"], on_d["d4"]["is_expansion"]) == (True, False)
    assert (on_d["d4"]["is_closing_this_quarter"], on_d["d5"]["is_closing_this_quarter"]) == (True, False)


def test_org_metrics_in_long_form(sales_built: Settings) -> None:
    values = long_values(sales_built, D)
    assert values[("sales_open_deals", OC)] == 1
    assert values[("sales_stalled_deals", OC)] == 1
    assert values[("sales_pipeline_cents", OX)] == 40000
    assert values[("sales_weighted_pipeline_cents", OX)] == pytest.approx(32000)
    assert values[("sales_open_deals", "global")] == 4
    assert ("sales_win_rate_90d", OA) not in values, "ratios are global only"
    assert long_values(sales_built, date(2026, 6, 5))[("sales_deals_won", OA)] == 1
    assert long_values(sales_built, date(2026, 6, 15))[("sales_won_amount_cents", OB)] == 80000


def test_monthly_sales(sales_built: Settings) -> None:
    months = {r["month_start"]: r for r in query(sales_built, "select * from {core}.mart_sales_monthly")}
    june = months[date(2026, 6, 1)]
    assert (june["deals_created"], june["pipeline_created_cents"]) == (6, 390000)
    assert (june["deals_won"], june["deals_lost"], june["won_amount_cents"]) == (2, 1, 200000)
    assert june["win_rate"] == pytest.approx(2 / 3)
    assert june["win_rate_amount"] == pytest.approx(200000 / 270000)
    assert (june["average_deal_size_cents"], june["median_deal_size_cents"]) == (pytest.approx(100000), 100000)
    assert june["median_sales_cycle_days"] == pytest.approx(24.5)
    assert (june["quota_cents"], june["quota_attainment"]) == (300000, pytest.approx(2 / 3))
    assert months[date(2026, 5, 1)]["win_rate"] == 0, "May closed one deal, lost"
    assert months[date(2026, 3, 1)]["win_rate"] is None, "nothing closed in March"


def test_quota_attainment_per_owner_and_team(sales_built: Settings) -> None:
    rows = query(sales_built, "select * from {core}.mart_sales_quota_attainment_monthly")
    found = {(r["month_start"], r["segment_type"], r["segment_id"]): r for r in rows}
    june = date(2026, 6, 1)
    rita, sam = found[(june, "owner", "r1")], found[(june, "owner", "r2")]
    assert (rita["segment_name"], rita["team"], rita["quota_cents"], rita["won_amount_cents"]) == (
        "Rita",
        "east",
        200000,
        120000,
    )
    assert rita["quota_attainment"] == pytest.approx(0.6)
    assert sam["quota_attainment"] == pytest.approx(0.8)
    assert found[(june, "team", "west")]["quota_attainment"] == pytest.approx(0.8)
    april_sam = found[(date(2026, 4, 1), "owner", "r2")]
    assert (april_sam["won_amount_cents"], april_sam["quota_cents"], april_sam["quota_attainment"]) == (
        30000,
        None,
        None,
    )


def test_stage_conversion_and_time_in_stage(sales_built: Settings) -> None:
    stages = {r["stage"]: r for r in query(sales_built, "select * from {core}.mart_sales_stage_funnel")}
    first = stages["appointmentscheduled"]
    assert (first["stage_entries"], first["deals_in_stage"]) == (5, 1)
    assert (first["exits_moved"], first["exits_won"], first["exits_lost"]) == (3, 0, 1)
    assert first["stage_conversion_rate"] == pytest.approx(0.75)
    assert first["stage_win_rate"] == pytest.approx(1 / 3)
    assert (first["median_days_in_stage"], first["average_days_in_stage"]) == (
        pytest.approx(12.5),
        pytest.approx(13.75),
    )
    qualified = stages["qualifiedtobuy"]
    assert qualified["stage_conversion_rate"] == pytest.approx(0.75)
    assert qualified["stage_win_rate"] == pytest.approx(0.75)
    assert qualified["median_days_in_stage"] == pytest.approx(15)
    assert stages["decisionmakerboughtin"]["median_days_in_stage"] == pytest.approx(8)
    assert stages["presentationscheduled"]["stage_conversion_rate"] is None, "no visit has ended"
    assert "closedwon" not in stages and "deleted" not in stages


def test_forecast_by_expected_close_month(sales_built: Settings) -> None:
    rows = {r["month_start"]: r for r in query(sales_built, "select * from {core}.mart_sales_forecast_monthly")}
    assert sorted(rows) == [date(2026, 6, 1), date(2026, 7, 1)]
    june, july = rows[date(2026, 6, 1)], rows[date(2026, 7, 1)]
    assert (june["open_deals"], june["pipeline_cents"], june["weighted_pipeline_cents"]) == (
        2,
        140000,
        pytest.approx(92000),
    )
    assert (june["forecast_commit_cents"], june["forecast_best_case_cents"]) == (200000, 340000)
    assert (july["commit_open_cents"], july["forecast_commit_cents"], july["forecast_best_case_cents"]) == (
        90000,
        90000,
        90000,
    )


def test_activities_per_rep_and_per_deal(sales_built: Settings) -> None:
    rows = query(sales_built, "select * from {core}.mart_sales_rep_activities_monthly")
    found = {(r["month_start"], r["owner_id"]): r for r in rows}
    assert sorted(found) == [(date(2026, 5, 1), "r1"), (date(2026, 6, 1), "r1"), (date(2026, 6, 1), "r2")]
    june_rita = found[(date(2026, 6, 1), "r1")]
    assert (june_rita["activities"], june_rita["calls"], june_rita["emails"], june_rita["deals_touched"]) == (
        2,
        1,
        1,
        1,
    )
    assert june_rita["activities_per_deal"] == pytest.approx(1)
    assert found[(date(2026, 5, 1), "r1")]["activities_per_deal"] == pytest.approx(2)
    deals = {r["deal_id"]: r for r in query(sales_built, "select * from {core}.mart_sales_deals")}
    assert (deals["d1"]["activities"], deals["d6"]["activities"]) == (2, 1), "a7 (07-01) is after the as-of time"
    assert daily(sales_built, date(2026, 6, 25))["sales_activities"] == 1


def test_deals_as_they_stand(sales_built: Settings) -> None:
    deals = {r["deal_id"]: r for r in query(sales_built, "select * from {core}.mart_sales_deals")}
    assert "d8" not in deals, "deleted"
    assert (deals["d2"]["owner_id"], deals["d2"]["team"], deals["d2"]["days_to_close"]) == ("r2", "west", 14)
    assert (deals["d9"]["is_open"], deals["d9"]["stage"]) == (True, "appointmentscheduled")
    assert (deals["d4"]["is_stalled"], deals["d4"]["days_since_touch"]) == (True, 20)
    assert deals["d5"]["forecast_category"] == "commit"
    assert (deals["d7"]["is_lost"], deals["d7"]["stage_probability"], deals["d7"]["is_stalled"]) == (True, None, None)


def test_closed_won_to_first_value(sales_built: Settings) -> None:
    rows = {r["org_id"]: r for r in query(sales_built, "select * from {core}.mart_sales_won_to_first_value")}
    assert sorted(rows) == [OA, OB]
    assert rows[OA]["days_won_to_first_value"] == pytest.approx(3 + 5 / 1440)
    assert rows[OA]["first_value_at"] == datetime(2026, 6, 8, 17, 5)
    assert (rows[OB]["first_value_at"], rows[OB]["days_won_to_first_value"]) == (None, None)
    assert rows[OA]["acquisition_channel"] == "ads"


def test_metrics_daily_and_the_series_carry_sales(sales_built: Settings) -> None:
    found = query(
        sales_built,
        f"select domain, tier, value from {{core}}.metrics_daily where metric_name = 'sales_pipeline_coverage' "
        f"and entity_id = 'global' and metric_date = '{D}'",
    )
    assert found == [{"domain": "sales", "tier": 1, "value": pytest.approx(140000 / 270000)}]
    series = metric_series(sales_built, "sales_open_deals", org_id=OC, start=D, end=D)
    assert series.source_connected and series.points == [(D, 1)]
    status = {r["source_name"]: r for r in query(sales_built, "select * from {core}.source_status")}
    assert {name: status[name]["rows_kept"] for name in ("crm_deals", "crm_activities", "crm_quotas")} == {
        "crm_deals": 21,
        "crm_activities": 6,
        "crm_quotas": 4,
    }


def test_not_connected_builds_without_a_sales_row(sales_not_loaded: Settings) -> None:
    status = {r["source_name"]: r["connected"] for r in query(sales_not_loaded, "select * from {core}.source_status")}
    assert not any(status[name] for name in ("crm_deals", "crm_activities", "crm_quotas"))
    for model in (
        "metrics_daily__sales",
        "mart_sales_daily",
        "mart_sales_deals",
        "mart_sales_open_deals_daily",
        "mart_sales_monthly",
        "mart_sales_quota_attainment_monthly",
        "mart_sales_stage_funnel",
        "mart_sales_forecast_monthly",
        "mart_sales_rep_activities_monthly",
        "mart_sales_won_to_first_value",
    ):
        assert query(sales_not_loaded, f"select count(*) as n from {{core}}.{model}") == [{"n": 0}], model
    rows = query(sales_not_loaded, "select count(*) as n from {core}.metrics_daily where domain = 'sales'")
    assert rows == [{"n": 0}]
    series = metric_series(sales_not_loaded, "sales_win_rate_90d")
    assert (series.source_connected, series.points) == (False, [])
    shown = CliRunner().invoke(app, ["metrics", "show", "sales_pipeline_cents"], env=cli_env(sales_not_loaded))
    assert shown.exit_code == 0, shown.output
    assert "source not connected" in shown.output and "crm_deals" in shown.output


def test_settings_reach_the_models(tmp_path: Path) -> None:
    """Stalled after 21 days, and only contract-sent deals weighted (at 0.5): d4 is no longer stalled on D, and
    the weighted pipeline is d5's 90000 x 0.5."""
    settings = make_settings(
        "duckdb",
        tmp_path,
        sales={"stalled_days": 21, "stage_probabilities": {" ContractSent ": 0.5}, "forecast_categories": {}},
    )
    assert settings.dbt_vars()["sales"]["stage_probabilities"] == {"contractsent": 0.5}
    land_sales(settings)
    build(settings, as_of=AS_OF, select="+mart_sales_daily +mart_sales_forecast_monthly", tests=False)
    row = daily(settings, D)
    assert row["sales_stalled_deals"] == 0
    assert row["sales_weighted_pipeline_cents"] == pytest.approx(45000)
    july = query(settings, "select * from {core}.mart_sales_forecast_monthly where month_start = '2026-07-01'")
    assert july[0]["forecast_commit_cents"] == 0, "no stage is commit any more"


def test_an_incremental_build_replaces_the_sales_rows_whole(tmp_path: Path) -> None:
    """Built as of 06-20, then a late version of d4 lands (lost on 06-10, recorded on 06-29) and the build moves
    on to D incrementally: the sales rows equal a full rebuild of the same data, days before 06-20 included."""
    settings = make_settings("duckdb", tmp_path / "incremental")
    land_sales(settings)
    build(settings, as_of=datetime(2026, 6, 20, 20), tests=False)
    landed = (datetime.now() + timedelta(minutes=1)).strftime(UTC_TEXT_FORMAT)
    late = deal(
        "d4",
        "06-29",
        "closedlost",
        owner="R1",
        amount=100000,
        created="06-02",
        org=OC,
        closed="06-10",
        won=False,
        loaded_at=landed,
    )
    land_tables(settings, {CRM_DEALS: [late]})
    plan = build(settings, as_of=AS_OF, tests=False).plan
    assert plan.kind == "incremental", plan
    full = make_settings("duckdb", tmp_path / "full")
    (tmp_path / "full").mkdir()
    shutil.copy(settings.warehouse, full.warehouse)
    build(full, as_of=AS_OF, full_refresh=True, tests=False)

    def sales_rows(target: Settings) -> list[tuple[Any, ...]]:
        rows = query(
            target,
            "select metric_date, metric_name, entity_type, entity_id, value from {core}.metrics_daily "
            "where domain in ('sales', 'marketing')",
        )
        return sorted((tuple(normal_value(v) for v in r.values()) for r in rows), key=repr)

    assert sales_rows(settings) == sales_rows(full)
    values = long_values(settings, date(2026, 6, 10))
    assert values[("sales_deals_lost", "global")] == 1, "the late close counts on its day"
    assert daily(settings, D)["sales_open_deals"] == 3
