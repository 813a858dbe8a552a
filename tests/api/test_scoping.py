"""An org token never sees another org's rows: series, summary, orgs, providers, cohorts, exports;
on DuckDB and PostgreSQL."""

from __future__ import annotations

import io

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tests.api.api_dataset import OA, OB, Api
from tests.marts.metrics_dataset import P1, P3, P4
from vitals.warehouse import open_warehouse


def _count(api: Api, sql: str) -> int:
    with open_warehouse(api.settings) as warehouse:
        return int(warehouse.query(sql.replace("{core}", warehouse.core_schema))[0][0])


def test_series_and_summary_are_the_org_own(any_api: Api) -> None:
    for role, org in (("org", OA), ("org_b", OB)):
        series = any_api.client.get("/api/v1/metrics/dad/series", headers=any_api.headers(role)).json()
        assert (series["entity_type"], series["entity_id"]) == ("org", org)
        with open_warehouse(any_api.settings) as warehouse:
            expected = warehouse.query(
                f"select count(*) from {warehouse.core_schema}.metrics_daily where metric_name = 'dad' "
                "and entity_type = 'org' and entity_id = ?",
                [org],
            )[0][0]
        assert len(series["points"]) == expected
        summary = any_api.client.get("/api/v1/summary", headers=any_api.headers(role)).json()
        assert summary["entity_id"] == org and summary["items"]
        other = OB if org == OA else OA
        for path in (f"/api/v1/metrics/dad/series?org={other}", f"/api/v1/summary?org={other}"):
            assert any_api.client.get(path, headers=any_api.headers(role)).status_code == 403
    # the same org named in capitals is still its own
    upper = any_api.client.get(f"/api/v1/metrics/dad/series?org={OA.upper()}", headers=any_api.headers("org"))
    assert upper.status_code == 200


def test_orgs_and_providers_are_the_org_own(any_api: Api) -> None:
    listed = any_api.client.get("/api/v1/orgs", headers=any_api.headers("org")).json()
    assert [o["org_id"] for o in listed["items"]] == [OA] and listed["total"] == 1
    everyone = any_api.client.get("/api/v1/orgs", headers=any_api.headers("cs")).json()
    assert {o["org_id"] for o in everyone["items"]} == {OA, OB}
    providers = any_api.client.get(f"/api/v1/orgs/{OA}/providers", headers=any_api.headers("org")).json()
    ids = {p["provider_id"] for p in providers["items"]}
    assert ids and P4 not in ids and ids <= {P1, P3, "22222222-2222-4222-8222-222222222222"}
    assert any_api.client.get(f"/api/v1/orgs/{OB}", headers=any_api.headers("org")).status_code == 403
    assert any_api.client.get(f"/api/v1/orgs/{OB}/providers", headers=any_api.headers("org")).status_code == 403


def test_cohorts_are_the_org_own(any_api: Api) -> None:
    page = any_api.client.get("/api/v1/cohorts?kind=retention&limit=500", headers=any_api.headers("org")).json()
    assert page["items"] and {(r["entity_type"], r["entity_id"]) for r in page["items"]} == {("org", OA)}
    assert page["total"] == _count(
        any_api, f"select count(*) from {{core}}.mart_product_retention_cohorts where entity_id = '{OA}'"
    )
    viewer = any_api.client.get("/api/v1/cohorts?kind=retention&limit=500", headers=any_api.headers("viewer")).json()
    assert {r["entity_type"] for r in viewer["items"]} == {"global"}


def test_exports_hold_the_org_rows_only(any_api: Api) -> None:
    for mart, column in (("mart_customer_success_org_health", "org_id"), ("metrics_daily__kpi", "entity_id")):
        csv = any_api.client.get(f"/api/v1/export/{mart}.csv", headers=any_api.headers("org"))
        assert csv.status_code == 200, csv.text
        table = pa_csv.read_csv(io.BytesIO(csv.content))
        assert table.num_rows > 0 and set(table.column(column).to_pylist()) == {OA}
        parquet = any_api.client.get(f"/api/v1/export/{mart}.parquet", headers=any_api.headers("org"))
        assert set(pq.read_table(io.BytesIO(parquet.content)).column(column).to_pylist()) == {OA}
        # a filter naming the other org gives nothing, never its rows
        other = any_api.client.get(f"/api/v1/export/{mart}.csv?{column}={OB}", headers=any_api.headers("org"))
        assert other.status_code == 200 and OB not in other.text
        everyone = any_api.client.get(f"/api/v1/export/{mart}.csv", headers=any_api.headers("analyst"))
        assert OB in everyone.text
