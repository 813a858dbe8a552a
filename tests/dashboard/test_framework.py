"""The dashboard's parts without a browser: filters, the page registry, datasets, sessions and the pages over
a warehouse that is not built yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from vitals.api.scope import BadRequest
from vitals.api.tokens import TokenStore
from vitals.dashboard.datasets import Chart, Column, Series, Table, change_text, display, sparkline
from vitals.dashboard.filters import Filters
from vitals.dashboard.registry import Content, Page, pages, register
from vitals.dashboard.router import _safe_next, create_dashboard_router
from vitals.dashboard.sessions import SessionStore
from vitals.warehouse import open_warehouse


def test_filters_parse_resolve_and_round_trip() -> None:
    asked = Filters.parse({"to": "2026-11-30", "org": " 6F1C2D3E-0000-4000-8000-000000000001 ", "plan": "Growth"})
    resolved = asked.resolve(date(2026, 12, 1), 30)
    assert resolved.start == date(2026, 11, 1) and resolved.end == date(2026, 11, 30)
    assert resolved.org == "6f1c2d3e-0000-4000-8000-000000000001"
    assert resolved.query() == "?from=2026-11-01&to=2026-11-30&org=6f1c2d3e-0000-4000-8000-000000000001&plan=Growth"
    assert resolved.query(org=None, plan=None) == "?from=2026-11-01&to=2026-11-30"
    assert Filters().resolve(None, 30) == Filters()
    with pytest.raises(BadRequest, match="'from' is after 'to'"):
        Filters.parse({"from": "2026-12-02", "to": "2026-12-01"})
    with pytest.raises(BadRequest, match="'to' is not a date"):
        Filters.parse({"to": "yesterday"})


def test_the_registry_lists_pages_in_order_and_refuses_duplicates() -> None:
    registered = pages()
    assert [p.slug for p in registered][:2] == ["executive", "customer_success"]
    org = next(p for p in registered if p.slug == "org")
    assert not org.in_nav("admin") and org.csv_path == "/orgs/{org_id}/csv/{dataset_id}"
    cs = next(p for p in registered if p.slug == "customer_success")
    assert cs.in_nav("cs") and not cs.in_nav("org") and not cs.in_nav("viewer")  # org tokens: their own page only
    assert registered[0].csv_path == "/executive/csv/{dataset_id}"
    with pytest.raises(ValueError, match="already registered"):
        register(Page("executive", "Again", "/again", "executive.html", lambda view: Content()))
    with pytest.raises(ValueError, match="already serves /"):
        register(Page("another", "Again", "/", "executive.html", lambda view: Content()))


def test_datasets_format_without_nan_and_export_raw_values() -> None:
    assert display("cents", 3384402) == "$33,844"
    assert display("cents", -38700.0) == "−$387"
    assert display("ratio", 0.951) == "95.1%"
    assert display("ratio", float("nan")) == "–" and display("count", None) == "–"
    assert change_text("ratio", -0.009, -0.9) == "−0.9 pp"
    assert change_text("cents", 100.0, 2.06) == "+2.1%"
    assert change_text("count", None, None) == "no previous week to compare"
    chart = Chart("c", "C", "line", ["2026-11-01", "2026-11-02"], [Series("v", "value", [1.5, float("nan")])])
    assert chart.table().csv().splitlines() == ["x,v", "2026-11-01,1.5", "2026-11-02,"]
    assert '"values": [1.5, null]' in chart.config()
    empty = Chart("e", "E", "bar", ["a"], [Series("v", "v", [None])], empty="connect Stripe")
    assert not empty.has_data and empty.table().rows == []
    table = Table("t", "T", [Column("n", "name"), Column("m", "MRR", "cents")], [{"n": "a,b", "m": 100}])
    assert table.csv().splitlines() == ["n,m", '"a,b",100']
    assert sparkline([1.0, None, 3.0]).count("polyline") == 1 and sparkline([1.0]) == ""


def test_login_redirects_only_to_local_paths() -> None:
    assert _safe_next("/orgs/x?from=2026-11-01") == "/orgs/x?from=2026-11-01"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil", "", None, "orgs"):
        assert _safe_next(bad) == "/"


def test_sessions_follow_their_token(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        record, secret = TokenStore(warehouse).create("cs", name="cs-1")
        store = SessionStore(warehouse)
        assert store.login("vt_unknown", 1) is None
        made = store.login(secret, 1)
        assert made is not None
        token, session = made
        assert token.token_id == record.token_id and secret not in session
        assert store.resolve(session) == token and store.resolve("other") is None
        stored = warehouse.query("select session_sha256 from api.dashboard_sessions")
        assert stored and session not in stored[0][0]
        TokenStore(warehouse).revoke("cs-1")
        assert store.resolve(session) is None  # revoking the token ends its sessions
        _, second = TokenStore(warehouse).create("cs", name="cs-2")
        again = store.login(second, 1)
        assert again is not None
        store.logout(again[1])
        assert store.resolve(again[1]) is None


def test_an_unbuilt_warehouse_says_run_vitals_build(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        _, secret = TokenStore(warehouse).create("admin", name="a")
    app = FastAPI()
    app.include_router(create_dashboard_router(settings))
    client = TestClient(app)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    assert client.post("/login", data={"token": secret}, headers={"origin": "http://evil.example"}).status_code == 403
    logged = client.post("/login", data={"token": secret, "next": "/customer-success"}, follow_redirects=False)
    assert logged.status_code == 303 and logged.headers["location"] == "/customer-success"
    for path in ("/", "/customer-success"):
        page = client.get(path)
        assert page.status_code == 503 and "run `vitals build`" in page.text, path
    assert client.get("/?to=someday").status_code == 400
    assert client.get("/static/vendor/chart.umd.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../router.py").status_code == 404


def test_pages_forbid_framing_and_foreign_scripts_and_logins_check_the_scheme(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        _, secret = TokenStore(warehouse).create("admin", name="a")
    app = FastAPI()
    app.include_router(create_dashboard_router(settings))
    client = TestClient(app, base_url="https://dash.example")
    for path in ("/login", "/", "/static/dashboard.css"):
        answer = client.get(path, follow_redirects=False)
        assert answer.headers["x-frame-options"] == "DENY", path
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert answer.headers["x-content-type-options"] == "nosniff"
    # the same host over another scheme is another origin (a page served over plain http posting here)
    refused = client.post("/login", data={"token": secret}, headers={"origin": "http://dash.example"})
    assert refused.status_code == 403
    logged = client.post(
        "/login", data={"token": secret}, headers={"origin": "https://dash.example"}, follow_redirects=False
    )
    assert logged.status_code == 303


def test_a_new_login_ends_the_session_the_browser_had(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    with open_warehouse(settings) as warehouse:
        _, secret = TokenStore(warehouse).create("admin", name="a")
    app = FastAPI()
    app.include_router(create_dashboard_router(settings))
    client = TestClient(app)
    for _ in range(3):
        assert client.post("/login", data={"token": secret}, follow_redirects=False).status_code == 303
    first = client.cookies.get("vitals_session")
    assert client.post("/login", data={"token": secret}, follow_redirects=False).status_code == 303
    with open_warehouse(settings) as warehouse:
        assert warehouse.query("select count(*) from api.dashboard_sessions") == [(1,)]
        assert SessionStore(warehouse).resolve(first) is None
