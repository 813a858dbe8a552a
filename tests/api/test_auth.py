"""Tokens and roles: each role against each endpoint family (allowed, 403), 401 without a valid token,
and the `vitals tokens` commands."""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from tests.api.api_dataset import OA, OB, ROLES, Api
from tests.conftest import cli_env
from vitals.api.tokens import TOKEN_PREFIX, TokenStore
from vitals.cli import app
from vitals.warehouse import open_warehouse

ALL = set(ROLES) - {"ingest"}  # ingest tokens post events and read nothing
ORG_READERS = ALL - {"viewer"}
EXPORTERS = {"admin", "analyst", "org"}
ADMIN = {"admin"}

MATRIX: list[tuple[str, str, set[str]]] = [
    ("catalog", "/metrics", ALL),
    ("catalog", "/metrics/dad", ALL),
    ("series", "/metrics/dad/series", ALL),
    ("series", f"/metrics/dad/series?org={OB}", ORG_READERS - {"org"}),
    ("series", f"/metrics/mrr_cents/series?org={OA}&grain=month", ORG_READERS),
    ("summary", "/summary?period=week", ALL),
    ("summary", f"/summary?period=month&org={OB}", ORG_READERS - {"org"}),
    ("orgs", "/orgs", ORG_READERS),
    ("orgs", f"/orgs/{OA}", ORG_READERS),
    ("orgs", f"/orgs/{OB}", ORG_READERS - {"org"}),
    ("orgs", f"/orgs/{OA}/providers", ORG_READERS),
    ("orgs", f"/orgs/{OB}/providers", ORG_READERS - {"org"}),
    ("cohorts", "/cohorts?kind=retention", ALL),
    ("cohorts", f"/cohorts?kind=retention&org={OB}", ORG_READERS - {"org"}),
    ("cohorts", "/cohorts?kind=revenue", ALL - {"org"}),
    ("alerts", "/alerts", ALL),
    ("alerts", "/alerts?state=firing", ALL),
    ("alerts", f"/alerts?org={OA}", ORG_READERS),
    ("alerts", f"/alerts?org={OB}", ORG_READERS - {"org"}),
    ("alerts", "/alerts/history", ALL),
    ("alerts", f"/alerts/history?org={OB}", ORG_READERS - {"org"}),
    ("alerts", "/alerts/rules", ALL),
    ("alerts", "/alerts/silences", ALL),
    ("exports", "/export/mart_customer_success_org_health.csv", EXPORTERS),
    ("exports", "/export/metrics_daily__kpi.parquet", EXPORTERS),
    ("exports", "/export/mart_revenue_cohorts.csv", EXPORTERS - {"org"}),
    ("config", "/config", ADMIN),
    ("config", "/config/versions", ADMIN),
    ("audit", "/audit", ADMIN),
    ("tokens", "/tokens", ADMIN),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("family", "path", "allowed"), MATRIX, ids=[f"{f}:{p}" for f, p, _ in MATRIX])
def test_role_reaches_what_it_may_and_nothing_else(
    duck_api: Api, role: str, family: str, path: str, allowed: set[str]
) -> None:
    response = duck_api.client.get(f"/api/v1{path}", headers=duck_api.headers(role))
    expected = 200 if role in allowed else 403
    assert response.status_code == expected, (family, role, response.text[:300])
    if expected == 403:
        assert "token" in response.json()["detail"]


@pytest.mark.parametrize(("family", "path", "allowed"), MATRIX, ids=[f"{f}:{p}" for f, p, _ in MATRIX])
def test_no_token_or_a_bad_one_is_401(duck_api: Api, family: str, path: str, allowed: set[str]) -> None:
    for headers in ({}, {"Authorization": "Bearer vt_not-a-token"}, {"Authorization": "Basic YWRtaW46eA=="}):
        response = duck_api.client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 401, (headers, response.text)
    assert duck_api.client.get(f"/api/v1{path}").headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_is_401_from_then_on(duck_api: Api) -> None:
    created = duck_api.client.post(
        "/api/v1/tokens", json={"role": "cs", "name": "revoke-me"}, headers=duck_api.headers("admin")
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith(TOKEN_PREFIX)
    assert duck_api.client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoked = duck_api.client.delete("/api/v1/tokens/revoke-me", headers=duck_api.headers("admin"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert duck_api.client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    again = duck_api.client.delete("/api/v1/tokens/revoke-me", headers=duck_api.headers("admin"))
    assert again.status_code == 404


def test_tokens_are_stored_hashed_never_in_clear(duck_api: Api) -> None:
    with open_warehouse(duck_api.settings) as warehouse:
        stored = {row[0] for row in warehouse.query("select token_sha256 from api.tokens")}
        dump = str(warehouse.query("select * from api.tokens"))
    for secret in duck_api.tokens.values():
        assert hashlib.sha256(secret.encode()).hexdigest() in stored
        assert secret not in dump


def test_an_org_token_needs_an_org_and_only_org_tokens_take_one(duck_api: Api) -> None:
    admin = duck_api.headers("admin")
    assert duck_api.client.post("/api/v1/tokens", json={"role": "org"}, headers=admin).status_code == 400
    assert duck_api.client.post("/api/v1/tokens", json={"role": "cs", "org_id": OA}, headers=admin).status_code == 400
    assert duck_api.client.post("/api/v1/tokens", json={"role": "root"}, headers=admin).status_code == 422
    assert (
        duck_api.client.post("/api/v1/tokens", json={"role": "cs"}, headers=duck_api.headers("cs")).status_code == 403
    )


def test_cli_creates_prints_once_lists_and_revokes(duck_api: Api) -> None:
    runner = CliRunner()
    env = cli_env(duck_api.settings)
    created = runner.invoke(
        app, ["tokens", "create", "--role", "org", "--org", OB.upper(), "--name", "cli-org"], env=env
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    orgs = duck_api.client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [o["org_id"] for o in orgs["items"]] == [OB]

    listed = runner.invoke(app, ["tokens", "list", "--format", "csv"], env=env)
    assert listed.exit_code == 0 and "cli-org" in listed.output and secret not in listed.output

    revoked = runner.invoke(app, ["tokens", "revoke", "cli-org"], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert duck_api.client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401

    missing = runner.invoke(app, ["tokens", "create", "--role", "org"], env=env)
    assert missing.exit_code == 1 and "--org" in missing.output
    with open_warehouse(duck_api.settings) as warehouse:
        actions = {r[0] for r in warehouse.query("select action from api.audit_log where token_name = 'cli'")}
        assert TokenStore(warehouse).verify(secret) is None
    assert {"token.create", "token.revoke"} <= actions


def test_cli_creates_an_ingest_token_that_posts_events_and_reads_nothing(duck_api: Api) -> None:
    from vitals.server.token_gate import Refusal, TokenGate

    created = CliRunner().invoke(
        app, ["tokens", "create", "--role", "ingest", "--name", "cli-ingest"], env=cli_env(duck_api.settings)
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    gate = TokenGate(duck_api.settings)
    allowed = gate.check(f"Bearer {secret}", "ingest")
    assert not isinstance(allowed, Refusal) and allowed.role == "ingest"
    status = gate.check(f"Bearer {secret}", "operations")
    assert isinstance(status, Refusal) and status.status == 403
    assert duck_api.client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
