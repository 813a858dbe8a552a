"""The API over a connection another component owns (the server's): a cursor per request, the owner's
connection still open afterwards, and the owner's writes visible to the next request."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from tests.api.api_dataset import OA, Api
from vitals.api.app import create_app
from vitals.api.connections import cursor_factory


def test_requests_use_cursors_of_the_owner_connection(duck_api: Api, tmp_path: Path) -> None:
    path = tmp_path / "owned.duckdb"
    shutil.copy(duck_api.settings.warehouse, path)
    owner = duckdb.connect(str(path))
    try:
        settings = duck_api.settings.model_copy(update={"warehouse": path})
        with TestClient(create_app(settings, cursor_factory(owner))) as client:
            headers = duck_api.headers("cs")
            assert client.get("/api/v1/orgs", headers=headers).json()["total"] == 2
            owner.execute("delete from main.mart_customer_success_org_health where org_id <> ?", [OA])
            assert client.get("/api/v1/orgs", headers=headers).json()["total"] == 1
            assert client.get("/api/v1/audit", headers=headers).status_code == 403
        # the owner's connection survived every request's close
        assert owner.execute("select count(*) from api.audit_log").fetchone()[0] > 0  # type: ignore[index]
    finally:
        owner.close()
