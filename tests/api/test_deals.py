"""``GET /api/v1/deals``: the vendor's pipeline, for admin, analyst and sales only; filters by owner, stage,
status and org; empty before the CRM is loaded."""

from __future__ import annotations

import pytest

from tests.api.api_dataset import ROLES, Api


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_analyst_and_sales_read_deals(duck_api: Api, role: str) -> None:
    answer = duck_api.get(role, "/deals")  # type: ignore[attr-defined]
    assert answer.status_code == (200 if role in ("admin", "analyst", "sales") else 403), answer.text
    assert duck_api.get(None, "/deals").status_code == 401  # type: ignore[attr-defined]


def test_without_a_crm_there_are_no_deals(duck_api: Api) -> None:
    page = duck_api.get("sales", "/deals").json()  # type: ignore[attr-defined]
    assert (page["items"], page["total"]) == ([], 0)
    assert duck_api.get("sales", "/deals", status="pending").status_code == 422  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ROLES)
def test_sales_metrics_and_marts_are_for_pipeline_roles_only(duck_api: Api, role: str) -> None:
    series = duck_api.get(role, "/metrics/sales_pipeline_cents/series")  # type: ignore[attr-defined]
    allowed = role in ("admin", "analyst", "sales")
    assert series.status_code == (200 if allowed else 403), (role, series.text)
    exported = duck_api.get(role, "/export/mart_sales_monthly.csv")  # type: ignore[attr-defined]
    # admin and analyst pass the checks (the mart is not built in this warehouse: 404); the rest are refused
    assert exported.status_code == (404 if role in ("admin", "analyst") else 403), (role, exported.text)


def test_an_org_export_of_metrics_daily_leaves_the_sales_rows_out(duck_api: Api) -> None:
    from tests.api.api_dataset import OA
    from vitals.warehouse import open_warehouse

    with open_warehouse(duck_api.settings) as warehouse:
        schema = warehouse.core_schema
        warehouse.execute(
            f"insert into {schema}.metrics_daily (metric_date, metric_name, domain, entity_type, entity_id, value, "
            f"tier) select metric_date, 'sales_pipeline_cents', 'sales', entity_type, entity_id, 123456, 1 "
            f"from {schema}.metrics_daily where entity_type = 'org' and entity_id = ? limit 1",
            [OA],
        )
    try:
        mine = duck_api.client.get("/api/v1/export/metrics_daily.csv", headers=duck_api.headers("org")).text
        assert OA in mine and "sales_pipeline_cents" not in mine
        admin = duck_api.client.get("/api/v1/export/metrics_daily.csv", headers=duck_api.headers("admin")).text
        assert "sales_pipeline_cents" in admin
    finally:
        with open_warehouse(duck_api.settings) as warehouse:
            warehouse.execute(
                f"delete from {warehouse.core_schema}.metrics_daily where metric_name = 'sales_pipeline_cents'"
            )
