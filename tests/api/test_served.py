"""`vitals serve` mounts the API: its routes answer beside the service's own, with the same auth."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.api_dataset import make_tokens
from tests.conftest import make_settings
from vitals.server.app import create_app


def test_the_server_serves_the_api(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path, serve={"build_interval_minutes": 600, "alerts_interval_minutes": 600})
    tokens = make_tokens(settings)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/metrics").status_code == 401
        listed = client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {tokens['viewer']}"})
        assert listed.status_code == 200 and listed.json()["total"] > 0
        # operations data (paths, build and job errors) is for admin and analyst; health and readiness stay open
        assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code in (200, 503)
        refused = client.get("/api/v1/status")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        for role, expected in (("admin", 200), ("analyst", 200), ("viewer", 403), ("cs", 403), ("ingest", 403)):
            answer = client.get("/api/v1/status", headers={"Authorization": f"Bearer {tokens[role]}"})
            assert answer.status_code == expected, (role, answer.text)
        assert "engine" not in client.get("/api/v1/status", headers={"Authorization": "Bearer vt_nope"}).text
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/metrics/{name}/series", "/api/v1/export/{mart}.csv", "/api/v1/status"} <= set(paths)
