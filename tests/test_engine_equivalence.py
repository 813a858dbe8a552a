"""One generated set, loaded and built on DuckDB, PostgreSQL and Spark: the core tables, metrics_daily (every
metric, at every grain, on every day), the sales, marketing, support, campaign, churn-risk, NPS-theme and
subscription marts are identical. The hand-worked CRM and marketing rows of tests/marts/sales_dataset.py, the
campaigns and the Stripe subscription story are landed too, so those marts have rows whatever the generator
writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings, normal_value
from tests.marts.campaigns_dataset import CAMPAIGNS, land_campaigns
from tests.marts.sales_dataset import SALES_TABLES, land_tables
from tests.marts.subscription_dataset import land_story
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

CORE_TABLES = ("organizations", "providers", "summarization_jobs", "sessions")
SALES_MARTS = (
    "mart_sales_deals",
    "mart_sales_open_deals_daily",
    "mart_sales_daily",
    "mart_sales_monthly",
    "mart_sales_quota_attainment_monthly",
    "mart_sales_stage_funnel",
    "mart_sales_forecast_monthly",
    "mart_sales_rep_activities_monthly",
    "mart_sales_won_to_first_value",
    "mart_marketing_channels_daily",
    "mart_marketing_funnel_cohorts",
    "mart_marketing_cac_monthly",
    "mart_marketing_channel_outcomes",
)
SUPPORT_AND_CAMPAIGN_MARTS = (
    "mart_customer_success_churn_risk",
    "mart_customer_success_nps_themes",
    "mart_revenue_subscriptions_daily",
    "mart_support_daily",
    "mart_support_tickets",
    "mart_customer_success_recovery_checks",
    "mart_customer_success_campaigns",
    "mart_customer_success_campaign_kinds",
)
METRICS_COLUMNS = "metric_date, metric_name, domain, entity_type, entity_id, value, tier"
"""metrics_daily less computed_as_of and loaded_through, which record when each engine's load ran."""
TABLES = {
    **{
        table: f"select * from {{schema}}.{table}"
        for table in (*CORE_TABLES, *SALES_MARTS, *SUPPORT_AND_CAMPAIGN_MARTS)
    },
    "metrics_daily": f"select {METRICS_COLUMNS} from {{schema}}.metrics_daily",
    "source_status": "select source_name, connected, rows_kept, first_at, newest_at from {schema}.source_status",
}
AS_OF = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _snapshot(settings: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with open_warehouse(settings) as wh:
        for table, sql in TABLES.items():
            data = wh.query_arrow(sql.format(schema=wh.core_schema))
            columns = sorted(data.column_names)
            rows = [tuple(normal_value(row[c]) for c in columns) for row in data.to_pylist()]
            tables[table] = [tuple(columns), *sorted(rows, key=repr)]
    return tables


@pytest.mark.spark
def test_core_tables_and_metrics_identical_on_duckdb_postgres_and_spark(tmp_path: Path, pg_database: str) -> None:
    data = tmp_path / "data"
    generate(data, orgs=6, days=21, seed=11, end=date(2026, 10, 31), fmt="parquet", progress=False)
    snapshots = {}
    for engine in ("duckdb", "postgres", "spark"):
        settings = make_settings(engine, tmp_path / engine, pg_database)
        load_directory(settings, data, progress=False)
        land_tables(settings, SALES_TABLES)
        land_campaigns(settings, CAMPAIGNS, [])  # the generated window holds too few campaigns
        land_story(settings)  # nor does it write Stripe subscription objects
        # the data tests are functions of the tables: DuckDB runs them, and the other engines' tables must equal
        # DuckDB's; every engine runs the singular tests (its own macros' portability checks)
        result = build(settings, as_of=AS_OF, tests=engine == "duckdb")
        if engine != "duckdb":
            result = build(settings, as_of=AS_OF, select="test_type:singular", tests=True)
            assert {node.resource_type for node in result.nodes} - {"operation"} == {"test"}
            assert not result.failures()
        snapshots[engine] = _snapshot(settings)
    reference = snapshots["duckdb"]
    for table in TABLES:
        assert len(reference[table]) > (1 if table == "source_status" else 2), f"{table} is empty on the generated set"
    at = reference["metrics_daily"][0].index("domain")
    domains = {row[at] for row in reference["metrics_daily"][1:]}
    assert {
        "kpi",
        "product",
        "reliability",
        "customer_success",
        "data_health",
        "revenue",
        "sales",
        "marketing",
    } <= domains
    names = {row[reference["metrics_daily"][0].index("metric_name")] for row in reference["metrics_daily"][1:]}
    assert {"nps", "nps_responses"} <= names, "the generated NPS answers reach metrics_daily"
    assert {"support_backlog", "support_csat"} <= names, "the generated tickets reach metrics_daily"
    for engine in ("postgres", "spark"):
        for table in TABLES:
            expected, got = reference[table], snapshots[engine][table]
            assert got[0] == expected[0], f"{engine}.{table} columns differ"
            diff = set(got[1:]) ^ set(expected[1:])
            assert not diff, (
                f"{engine}.{table} differs from duckdb in {len(diff)} rows, e.g. {sorted(diff, key=repr)[:2]}"
            )
