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
