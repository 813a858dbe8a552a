"""Retention campaigns started through the API: admin and cs only, validated, landed as the first version of a
``retention_campaigns`` row (hashed like every raw row), audited; on DuckDB and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.api_dataset import OA, ROLES, Api
from vitals.warehouse import open_warehouse


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_and_cs_start_campaigns(duck_api: Api, role: str) -> None:
    body = {"org_id": OA, "kind": "check_in", "channel": "call"}
    made = duck_api.client.post("/api/v1/campaigns", json=body, headers=duck_api.headers(role))
    assert made.status_code == (201 if role in ("admin", "cs") else 403), made.text
    assert duck_api.client.post("/api/v1/campaigns", json=body).status_code == 401


def test_a_campaign_lands_as_its_first_version_and_is_audited(any_api: Api) -> None:
    cs = any_api.headers("cs")
    made = any_api.client.post(
        "/api/v1/campaigns", json={"org_id": OA.upper(), "kind": "win_back", "channel": "email"}, headers=cs
    )
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert (campaign["org_id"], campaign["kind"], campaign["channel"], campaign["started_by"]) == (
        OA,
        "win_back",
        "email",
        "t-cs",
    )
    with open_warehouse(any_api.settings) as warehouse:
        rows = warehouse.query(
            "select org_id, kind, channel, started_at, sent_at, updated_at, outcome, _ingest_source, _row_hash "
            "from raw.retention_campaigns where campaign_id = ?",
            [campaign["campaign_id"]],
        )
        loads = warehouse.query(
            "select rows_read, rows_inserted from raw._loads where source = 'vitals:campaigns' and started_at = ?",
            [campaign["started_at"]],
        )
    assert len(rows) == 1
    org, kind, channel, started, sent, updated, outcome, source, row_hash = rows[0]
    assert (org, kind, channel, source) == (OA, "win_back", "email", "vitals:campaigns")
    assert started == sent == updated == campaign["started_at"] and outcome is None and row_hash
    assert loads == [(1, 1)]
    audit = any_api.get("admin", "/audit", token_name="t-cs", limit=500).json()  # type: ignore[attr-defined]
    target = f"{OA}:{campaign['campaign_id']}"
    assert ("campaigns.start", target) in {(e["action"], e["target"]) for e in audit["items"]}


def test_bad_campaigns_are_refused_and_nothing_lands(duck_api: Api) -> None:
    admin = duck_api.headers("admin")
    post = duck_api.client.post
    with open_warehouse(duck_api.settings) as warehouse:
        warehouse.ensure_raw_tables()
        before = warehouse.query("select count(*) from raw.retention_campaigns")[0][0]
    unknown = post(
        "/api/v1/campaigns",
        json={"org_id": "dddddddd-dddd-4ddd-8ddd-dddddddddddd", "kind": "training"},
        headers=admin,
    )
    assert unknown.status_code == 404 and "no org" in unknown.json()["detail"]
    assert post("/api/v1/campaigns", json={"org_id": OA, "kind": "upsell"}, headers=admin).status_code == 422
    assert post("/api/v1/campaigns", json={"org_id": "x", "kind": "training"}, headers=admin).status_code == 422
    org = post("/api/v1/campaigns", json={"org_id": OA, "kind": "training"}, headers=duck_api.headers("org"))
    assert org.status_code == 403
    with open_warehouse(duck_api.settings) as warehouse:
        assert warehouse.query("select count(*) from raw.retention_campaigns")[0][0] == before
