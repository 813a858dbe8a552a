"""Admin endpoints, and `vitals build` / `vitals load` asking the server that owns the DuckDB file."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.server.conftest import ADMIN_SECRET, ServerProcess, event
from vitals.config import Settings
from vitals.contracts import EVENTS
from vitals.server.app import create_app
from vitals.warehouse import open_warehouse


def vitals(server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vitals", *args],
        env={**server.env, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_and_load_are_done_by_the_running_server(duckdb_settings: Settings, tmp_path: Path) -> None:
    server = ServerProcess(duckdb_settings, tmp_path).start()
    try:
        build = server.url + "/api/v1/admin/build"
        assert httpx.post(build).status_code == 401
        assert httpx.post(build, headers={"Authorization": "Bearer wrong"}).status_code == 401

        # another process cannot open the file: it is told so, not shown a stack trace
        query = vitals(server, "sql", "select 1")
        assert query.returncode == 1
        assert "in use by another process" in query.stderr and "Traceback" not in query.stderr

        # `vitals load` hands the directory to the server
        files = tmp_path / "files"
        files.mkdir()
        header = ",".join(EVENTS.column_names)
        blank = "," * (len(EVENTS.column_names) - 3)
        lines = [
            header,
            f"evt-file-1,,,,2026-12-01 09:00:00,login{blank}",
            f"evt-file-2,,,,2026-12-01 09:05:00,logout{blank}",
        ]
        (files / "events_big.csv").write_text("\n".join(lines) + "\n")
        loaded = vitals(server, "load", str(files))
        assert loaded.returncode == 0, loaded.stderr
        assert "loaded by the server" in loaded.stdout

        # an event posted just before is applied before the build starts
        assert server.post_events([event("evt-posted")]).status_code == 200
        built = vitals(server, "build")
        assert built.returncode == 0, built.stderr
        assert "built by the server" in built.stdout
        last = server.status()["build"]["last"]
        assert last["outcome"] == "success" and last["trigger"] == "admin"
        assert last["kind"] == "first"
        # after the build the writer goes on applying what is posted
        assert server.post_events([event("evt-after-build")]).status_code == 200
        server.wait_applied()
        # without the secret the command says what to set
        refused = vitals(server, "build", VITALS_SERVE__ADMIN_SECRET="")
        assert refused.returncode == 1
        assert "VITALS_SERVE__ADMIN_SECRET" in refused.stderr.replace("\n", "")
    finally:
        server.stop()
    with open_warehouse(duckdb_settings) as warehouse:
        raw = [r[0] for r in warehouse.query("select event_id from raw.events_big order by event_id")]
        staged = [r[0] for r in warehouse.query("select event_id from stg_app__events order by event_id")]
        built_tables = {r[0] for r in warehouse.query("select table_name from information_schema.tables")}
    assert raw == ["evt-after-build", "evt-file-1", "evt-file-2", "evt-posted"]
    assert staged == raw[1:]  # the build saw the posted event: the journal is applied before a build
    assert "metrics_daily" in built_tables


def test_admin_endpoints_are_disabled_without_a_secret(duckdb_settings: Settings, tmp_path: Path) -> None:
    server = ServerProcess(duckdb_settings, tmp_path, admin_secret="").start()
    try:
        response = httpx.post(server.url + "/api/v1/admin/build", headers={"Authorization": f"Bearer {ADMIN_SECRET}"})
        assert response.status_code == 503
        assert "serve.admin_secret" in response.json()["detail"]
    finally:
        server.stop()


def _asgi_post(app: Any, path: str, size: int, authorization: str | None) -> tuple[int, dict[str, Any], int]:
    """POST ``size`` bytes of JSON in 64 KiB chunks straight through ASGI: (status, answer, bytes the app read)."""
    chunk = 65_536
    sent = 0
    answer: dict[str, Any] = {}
    headers = [(b"content-type", b"application/json")]
    if authorization:
        headers.append((b"authorization", authorization.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "app": app,
    }

    async def receive() -> dict[str, Any]:
        nonlocal sent
        part = min(chunk, size - sent)
        sent += part
        return {"type": "http.request", "body": b" " * part, "more_body": sent < size}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return answer["status"], json.loads(answer["body"]), sent


@pytest.mark.parametrize("secret", ["", ADMIN_SECRET])
def test_admin_routes_refuse_before_reading_and_bound_the_body(duckdb_settings: Settings, secret: str) -> None:
    serve = duckdb_settings.serve.model_copy(update={"admin_secret": SecretStr(secret)})
    app = create_app(duckdb_settings.model_copy(update={"serve": serve}), routers=[])
    fifty_mb = 50 * 1024 * 1024
    for path in ("/api/v1/admin/build", "/api/v1/admin/load"):
        for authorization in (None, "Bearer wrong"):
            status, answer, read = _asgi_post(app, path, fifty_mb, authorization)
            assert status == (401 if secret else 503), answer
            assert read <= 65_536, f"{read} bytes read before refusing"
    if secret:  # a valid token: the body is read, but only up to api.max_body_bytes
        status, answer, read = _asgi_post(app, "/api/v1/admin/load", fifty_mb, f"Bearer {secret}")
        limit = duckdb_settings.api.max_body_bytes
        assert status == 413 and str(limit) in answer["detail"]
        assert read <= limit + 65_536


@pytest.mark.parametrize(("proxies", "recorded"), [("", "127.0.0.1"), ("127.0.0.1", "203.0.113.9")])
def test_forwarded_for_is_believed_only_from_a_configured_proxy(
    duckdb_settings: Settings, tmp_path: Path, proxies: str, recorded: str
) -> None:
    server = ServerProcess(duckdb_settings, tmp_path, trusted_proxies=proxies).start()
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    try:
        made = httpx.post(
            server.url + "/api/v1/tokens",
            json={"role": "viewer", "name": "made-behind-a-proxy"},
            headers={**admin, "X-Forwarded-For": "203.0.113.9"},
        )
        assert made.status_code == 201, made.text
        audit = httpx.get(server.url + "/api/v1/audit", params={"action": "token.create"}, headers=admin).json()
    finally:
        server.stop()
    assert [e["client"] for e in audit["items"] if e["target"] == "made-behind-a-proxy"] == [recorded]
