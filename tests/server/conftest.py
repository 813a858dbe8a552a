"""A real `vitals serve` process on a free loopback port, and helpers to talk to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import cli_env, make_settings
from vitals.config import Settings

ADMIN_SECRET = "test-admin-secret"
START_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


class ServerProcess:
    """`vitals serve` in a subprocess, with the test's settings in its environment."""

    def __init__(self, settings: Settings, tmp_path: Path, **serve: object) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"serve-{self.port}.log"
        self.env = {
            **os.environ,
            **cli_env(settings),
            "VITALS_CONFIG": str(tmp_path / "absent-vitals.toml"),
            "VITALS_SERVE__ADMIN_SECRET": ADMIN_SECRET,
            "VITALS_SERVE__BUILD_INTERVAL_MINUTES": "600",
            **{f"VITALS_SERVE__{k.upper()}": str(v) for k, v in serve.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.ingest_token = ""
        self.admin_token = ""

    def start(self) -> ServerProcess:
        """Make an ingest and an admin token (the server owns the file once started), start the server and
        wait until /readyz says ready."""
        if not self.ingest_token:
            self.ingest_token, self.admin_token = make_tokens(self.settings, f"srv{self.port}")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vitals", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"the server to be ready (log: {self.log})", self._ready, timeout=START_TIMEOUT)
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(self.url + "/readyz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def ingest_headers(self) -> dict[str, str]:
        """The Authorization header of the ingest token."""
        return {"Authorization": f"Bearer {self.ingest_token}"}

    def status(self) -> dict[str, Any]:
        """GET /api/v1/status (as admin)."""
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        response = httpx.get(self.url + "/api/v1/status", headers=headers, timeout=30.0)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def post_events(self, events: list[Any], client: httpx.Client | None = None) -> httpx.Response:
        """POST /ingest/events with the ingest token."""
        poster = client or httpx
        return poster.post(self.url + "/ingest/events", json=events, headers=self.ingest_headers, timeout=30.0)

    def wait_applied(self) -> dict[str, Any]:
        """Wait until no journalled batch is pending; return the status."""
        return dict(wait_for("the journal to be applied", lambda: self._applied_status()))

    def _applied_status(self) -> dict[str, Any] | None:
        status = self.status()
        return status if status["journal"]["pending_batches"] == 0 else None

    def stop(self) -> None:
        """SIGTERM, then wait for a clean exit (the DuckDB file is free afterwards)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: a crash, no shutdown of any kind."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


def make_tokens(settings: Settings, prefix: str) -> tuple[str, str]:
    """A new ingest token and a new admin token in the warehouse of ``settings`` (their secrets)."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse import open_warehouse

    suffix = os.urandom(3).hex()
    with open_warehouse(settings) as warehouse:
        store = TokenStore(warehouse)
        ingest = store.create("ingest", name=f"{prefix}-ingest-{suffix}")[1]
        admin = store.create("admin", name=f"{prefix}-admin-{suffix}")[1]
    return ingest, admin


ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=ENGINES)
def server_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of a fresh warehouse, once per engine."""
    if request.param == "postgres":
        return make_settings("postgres", tmp_path, request.getfixturevalue("pg_database"))
    return make_settings("duckdb", tmp_path)


@pytest.fixture
def duckdb_settings(tmp_path: Path) -> Settings:
    """Settings of a fresh DuckDB warehouse."""
    return make_settings("duckdb", tmp_path)


@pytest.fixture
def server(server_settings: Settings, tmp_path: Path) -> Iterator[ServerProcess]:
    """A started server on the engine's warehouse; stopped afterwards."""
    process = ServerProcess(server_settings, tmp_path).start()
    try:
        yield process
    finally:
        process.stop()


def event(event_id: str, **fields: object) -> dict[str, object]:
    """A valid events_big row."""
    return {
        "event_id": event_id,
        "org_id": "6f1c2d3e-0000-4000-8000-000000000001",
        "provider_id": "7a1c2d3e-0000-4000-8000-000000000002",
        "occurred_at": "2026-12-01T10:00:00Z",
        "event_name": "login",
        "session_id": "s-1",
        **fields,
    }
