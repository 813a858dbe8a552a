"""Over a warehouse that is not built yet, the API says so (503 with what to do), never a stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.api_dataset import make_tokens
from tests.conftest import make_settings
from vitals.api.app import create_app


@pytest.mark.parametrize(
    "path",
    ["/orgs", "/summary", "/metrics/dad/series", "/cohorts", "/export/mart_customer_success_org_health.csv"],
)
def test_unbuilt_warehouse_answers_503_or_empty(tmp_path: Path, path: str) -> None:
    settings = make_settings("duckdb", tmp_path)
    tokens = make_tokens(settings)
    with TestClient(create_app(settings)) as client:
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {tokens['admin']}"})
        assert client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {tokens['admin']}"}).status_code == 200
    assert response.status_code in (503, 404), response.text
    assert "vitals build" in response.json()["detail"]
