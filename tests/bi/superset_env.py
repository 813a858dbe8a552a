"""Apache Superset in a virtual environment of its own (its pins clash with vitals'), and a Superset instance over
a throwaway metadata database, served on a loopback port.

The environment lives under ``.vitals/superset-venv-<hash of superset-requirements.txt>``: it is installed once
(from PyPI) and reused by every later run until the requirements file changes. A failed install skips the test
locally and fails it under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name("superset-requirements.txt")
INSTALL_TIMEOUT = 1800.0
COMMAND_TIMEOUT = 600.0
START_TIMEOUT = 180.0
ADMIN = ("admin", "vitals-superset-test")


def superset_venv() -> Path:
    """The Superset environment, installed now if it is not there yet (one install at a time, across processes)."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    base = ROOT / ".vitals"
    venv = base / f"superset-venv-{key}"
    done = venv / ".installed"
    base.mkdir(parents=True, exist_ok=True)
    with (base / "superset-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        started = time.monotonic()
        try:
            _run([sys.executable, "-m", "venv", str(venv)], timeout=COMMAND_TIMEOUT)
            _run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--require-virtualenv",
                    "-r",
                    str(REQUIREMENTS),
                ],
                timeout=INSTALL_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            output = getattr(exc, "output", None) or ""
            message = f"installing Superset into {venv} failed: {exc}\n{str(output)[-3000:]}"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        done.write_text(f"installed in {time.monotonic() - started:.0f} s\n")
    return venv


def _run(args: list[str], *, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a command; its output (stdout and stderr together), raising ``CalledProcessError`` with it."""
    done = subprocess.run(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, args, output=done.stdout)
    return done.stdout


class Superset:
    """One Superset: its metadata in a SQLite file under ``home``, its CLI, and its web server once started."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.venv = venv
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        config = home / "superset_config.py"
        config.write_text(
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(home / 'superset.db')!r}\n"
            "WTF_CSRF_ENABLED = False\n"
            "TALISMAN_ENABLED = False\n"
            "RATELIMIT_ENABLED = False\n"
            "CONTENT_SECURITY_POLICY_WARNING = False\n"
        )
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VITALS_", "PYTHON", "VIRTUAL_ENV", "SUPERSET_", "FLASK_"))
        }
        self.env = {
            **inherited,
            "SUPERSET_CONFIG_PATH": str(config),
            "SUPERSET_HOME": str(home),
            "FLASK_APP": "superset",
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.url = ""
        self.log = home / "superset-web.log"

    def cli(self, *args: str) -> str:
        """Run ``superset <args>``; fail the test with its output when it fails."""
        try:
            return _run([str(self.venv / "bin" / "superset"), *args], timeout=COMMAND_TIMEOUT, env=self.env)
        except subprocess.CalledProcessError as exc:
            pytest.fail(f"superset {' '.join(args)} exited with {exc.returncode}:\n{str(exc.output)[-5000:]}")

    def initialize(self) -> None:
        """Create the metadata database, the admin user and the default roles."""
        self.cli("db", "upgrade")
        user, password = ADMIN
        self.cli(
            "fab",
            "create-admin",
            "--username",
            user,
            "--firstname",
            "vitals",
            "--lastname",
            "test",
            "--email",
            "admin@example.invalid",
            "--password",
            password,
        )
        self.cli("init")

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        """Superset's web server on a free loopback port, stopped on exit; yields its URL."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                [str(self.venv / "bin" / "superset"), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(
                f"Superset to answer at {self.url} (log: {self.log})", lambda: self._healthy(process), START_TIMEOUT
            )
            yield self.url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _healthy(self, process: subprocess.Popen[bytes]) -> bool:
        if process.poll() is not None:
            pytest.fail(f"Superset exited with {process.returncode}:\n{self.log.read_text()[-5000:]}")
        try:
            return httpx.get(self.url + "/health", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False


class SupersetApi:
    """Superset's REST API as the admin user (a token from ``/api/v1/security/login``)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=120.0)
        user, password = ADMIN
        response = self.client.post(
            "/api/v1/security/login",
            json={"username": user, "password": password, "provider": "db", "refresh": False},
        )
        assert response.status_code == 200, response.text
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON answer (status 200 asserted)."""
        response = self.client.get(path, params=params or None)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:2000]}"
        return response.json()

    def listing(self, resource: str) -> list[dict[str, Any]]:
        """Every object of a resource (``chart``, ``dataset``, ``dashboard``), page by page."""
        found: list[dict[str, Any]] = []
        page = 0
        while True:
            answer = self.get(f"/api/v1/{resource}/", q=f"(page:{page},page_size:100)")
            found += answer["result"]
            if len(found) >= answer["count"] or not answer["result"]:
                return found
            page += 1

    def close(self) -> None:
        self.client.close()
