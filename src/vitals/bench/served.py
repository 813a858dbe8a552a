"""`vitals serve` in a child process over an existing warehouse, for the API benchmarks: an admin token made
beforehand, the scheduled build and alert jobs pushed out of the way, and the child's memory read from /proc.

The warehouse is opened read-write by the server (the API writes its audit log and tokens there): point
the benchmarks at a copy of a warehouse you care about.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from vitals.config import Settings

QUIET_MINUTES = "100000"
"""The build and alert intervals of the benchmarked server: nothing scheduled runs during a benchmark."""


@dataclass
class Served:
    """A running server: its base URL, an admin token and its process id."""

    url: str
    token: str
    pid: int

    def rss_kb(self) -> int:
        """The server's resident set size now (KiB)."""
        return _status_kb(self.pid, "VmRSS")

    def peak_kb(self) -> int:
        """The server's peak resident set size since it started or since ``reset_peak`` (KiB)."""
        return _status_kb(self.pid, "VmHWM")

    def reset_peak(self) -> bool:
        """Reset the peak to the current size (``/proc/PID/clear_refs``); False where the kernel refuses."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def admin_token(settings: Settings, name: str) -> str:
    """A new admin token for the benchmark (named ``name`` plus a suffix)."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse import open_warehouse

    with open_warehouse(settings) as warehouse:
        return TokenStore(warehouse).create("admin", name=f"{name}-{os.urandom(3).hex()}")[1]


def free_port() -> int:
    """A free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals, timeout: float) -> None:
    """Ask a server process to stop with ``sig``; kill it if it has not within ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(settings: Settings, *, name: str = "bench", timeout: float = 120.0) -> Iterator[Served]:
    """Start `vitals serve` over ``settings.warehouse`` (DuckDB) or ``settings.postgres`` and stop it afterwards."""
    token = admin_token(settings, name)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="vitals-bench-serve-") as state, tempfile.TemporaryFile("w+") as log:
        env = {
            **os.environ,
            "VITALS_ENGINE": settings.engine,
            "VITALS_STATE_DIR": state,
            "VITALS_SERVE__BUILD_INTERVAL_MINUTES": QUIET_MINUTES,
            "VITALS_SERVE__ALERTS_INTERVAL_MINUTES": QUIET_MINUTES,
            "VITALS_SERVE__PULL_INTERVAL_MINUTES": QUIET_MINUTES,
        }
        if settings.engine == "duckdb":
            env["VITALS_WAREHOUSE"] = str(Path(settings.warehouse).resolve())
        proc = subprocess.Popen(
            [sys.executable, "-m", "vitals", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(proc, url, timeout, log)
            yield Served(url, token, proc.pid)
        finally:
            stop(proc, signal.SIGINT, 30)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, timeout: float, log: object) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)  # type: ignore[attr-defined]
            raise RuntimeError(f"vitals serve exited with {proc.returncode}:\n{log.read()[-2000:]}")  # type: ignore[attr-defined]
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"vitals serve did not become ready within {timeout:.0f} s")
