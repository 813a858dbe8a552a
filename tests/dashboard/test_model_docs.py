"""The models' docs site: served to logged-in users only, generated once per version of the models, sandboxed
by its own content policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from vitals.api.tokens import TokenStore
from vitals.dashboard.model_docs import PATH
from vitals.dashboard.router import create_dashboard_router
from vitals.warehouse import model_docs, open_warehouse


def test_the_docs_site_is_for_logged_in_users_and_sandboxed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITALS_CACHE_DIR", str(tmp_path / "cache"))
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        _, secret = TokenStore(warehouse).create("viewer", name="v")
    app = FastAPI()
    app.include_router(create_dashboard_router(settings))
    client = TestClient(app)

    refused = client.get(PATH, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/login?next=%2Fmodels-docs%2F"

    assert client.post("/login", data={"token": secret}, follow_redirects=False).status_code == 303
    page = client.get(PATH)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # dbt's site, with the project's models, metrics and exposures embedded
    for name in ("metrics_daily", "mart_customer_success_org_health", "dashboard_executive", "mrr_cents"):
        assert name in page.text, name
    policy = page.headers["content-security-policy"]
    assert policy.startswith("sandbox allow-scripts") and "allow-same-origin" not in policy
    assert "connect-src" not in policy and "default-src 'none'" in policy

    def refuse() -> None:
        raise AssertionError("generated again although the models did not change")

    monkeypatch.setattr(model_docs.subprocess, "run", refuse)
    assert client.get(PATH).status_code == 200


def test_every_dashboard_page_alert_and_digest_is_an_exposure() -> None:
    from vitals.dashboard.registry import pages
    from vitals.warehouse.manifest import project_manifest

    exposures = {e["name"]: e for e in project_manifest()["exposures"].values()}
    expected = {"dashboard_" + p.slug.replace("-", "_") for p in pages() if p.slug != "catalog-metric"}
    assert expected | {"alert_rules", "weekly_digest"} == set(exposures)
    for name, exposure in exposures.items():
        assert exposure["depends_on"]["nodes"], f"{name} reads no model"
        if name.startswith("dashboard_"):
            page = next(p for p in pages() if "dashboard_" + p.slug.replace("-", "_") == name)
            assert exposure["url"] == page.path, name
