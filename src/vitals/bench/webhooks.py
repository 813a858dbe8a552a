"""`vitals bench --webhooks`: sustained acknowledged requests/s into a running server, and freshness.

1. A `vitals serve` process is started on a free loopback port with a fresh warehouse (DuckDB file under
   the bench directory, or a fresh PostgreSQL database) and a short build interval.
2. Load: ``processes`` × ``threads`` keep-alive HTTP clients post one-event batches to
   ``POST /ingest/events`` (with an ingest token made for the run) for ``seconds``; every 200 is an
   acknowledged (journalled, fsync'd) request. Reported: acknowledged requests/s, p50 and p99 latency
   (ms), and refusals.
3. Freshness: one more event (a new org and provider, occurring now) is posted; the time from its
   acknowledgement to the end of the first scheduled build that started after it (read from
   ``/api/v1/status`` with an analyst token) is the event-to-metric freshness. The server is then stopped
   and ``metrics_daily`` must show that org's ``dau`` = 1 for today (business day), or the figure is
   reported as not verified.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vitals.bench.served import free_port, stop
from vitals.bench.tokens import BenchTokens, make_tokens
from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.process_env import environment


class BenchError(VitalsError):
    """The benchmark could not run; the message says what it waited for."""


EnvFactory = Callable[[int], tuple[dict[str, str], Callable[[], None]]]


@dataclass
class WebhookBenchReport:
    """The figures of one webhook benchmark."""

    engine: str
    seconds: float
    clients: int
    acknowledged: int
    refused: int
    requests_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    build_interval_minutes: float
    freshness_seconds: float | None
    freshness_build_seconds: float | None
    freshness_verified: bool
    measured_at: str
    cpu_count: int

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        fresh = (
            f"{self.freshness_seconds:.1f} s (build {self.freshness_build_seconds:.1f} s, interval "
            f"{self.build_interval_minutes:g} min){'' if self.freshness_verified else ', NOT verified'}"
            if self.freshness_seconds is not None
            else "not measured"
        )
        return [
            f"engine         {self.engine}, {self.cpu_count} CPU(s), {self.clients} clients for {self.seconds:.0f} s",
            f"acknowledged   {self.acknowledged:,} requests ({self.requests_per_second:,.0f}/s), "
            f"{self.refused:,} refused",
            f"latency        p50 {self.latency_p50_ms:.1f} ms  p99 {self.latency_p99_ms:.1f} ms",
            f"freshness      event to metrics_daily: {fresh}",
        ]


def run_webhook_bench(
    settings: Settings,
    *,
    seconds: float,
    processes: int,
    threads: int,
    build_interval_minutes: float,
    work_dir: Path,
    fresh_warehouse: EnvFactory,
    out: Path,
    say: Callable[[str], None] = print,
) -> WebhookBenchReport:
    """Start a server on a fresh warehouse, drive it, measure freshness, write the JSON report to ``out``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    variables, cleanup = fresh_warehouse(0)
    port = free_port()
    url = f"127.0.0.1:{port}"
    state = work_dir / f"serve-{uuid.uuid4().hex[:8]}"
    secret = uuid.uuid4().hex
    env = {
        **os.environ,
        **variables,
        "VITALS_STATE_DIR": str(state),
        "VITALS_TIMEZONE": settings.timezone,
        "VITALS_SERVE__BUILD_INTERVAL_MINUTES": str(build_interval_minutes),
        "VITALS_SERVE__ADMIN_SECRET": secret,
    }
    state.mkdir(parents=True, exist_ok=True)
    tokens = make_tokens(variables, state)
    log = (state / "serve.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "vitals", "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait(lambda: _get(url, "/readyz")[0] == 200, 120, "the server to be ready", server)
        say(f"server ready at http://{url}; {processes * threads} clients for {seconds:.0f} s")
        _post(url, [_event("warmup")], tokens.ingest)
        latencies, refused, elapsed = _drive(url, seconds, processes, threads, tokens.ingest)
        say(f"load done: {len(latencies):,} acknowledged; measuring freshness")
        fresh, build_seconds, org_id, day = _freshness(url, settings.timezone, build_interval_minutes, server, tokens)
    finally:
        stop(server, signal.SIGTERM, 600)
        log.close()
    verified = _verify(variables, state, org_id, day) if fresh is not None else False
    cleanup()
    ordered = sorted(latencies)
    report = WebhookBenchReport(
        engine=variables.get("VITALS_ENGINE", "duckdb"),
        seconds=round(elapsed, 3),
        clients=processes * threads,
        acknowledged=len(ordered),
        refused=refused,
        requests_per_second=round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        latency_p50_ms=round(1000 * statistics.median(ordered), 2) if ordered else 0.0,
        latency_p99_ms=round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2) if ordered else 0.0,
        build_interval_minutes=build_interval_minutes,
        freshness_seconds=round(fresh, 2) if fresh is not None else None,
        freshness_build_seconds=round(build_seconds, 2) if build_seconds is not None else None,
        freshness_verified=verified,
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
        cpu_count=os.cpu_count() or 1,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


def _drive(url: str, seconds: float, processes: int, threads: int, token: str) -> tuple[list[float], int, float]:
    """Run the clients; return every acknowledged latency, the refusals and the measured duration."""
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(drive_worker, url, seconds, threads, n, token) for n in range(processes)]
        results = [f.result() for f in futures]
    latencies = [value for result in results for value in result[0]]
    return latencies, sum(result[1] for result in results), max(result[2] for result in results)


def drive_worker(url: str, seconds: float, threads: int, worker: int, token: str) -> tuple[list[float], int, float]:
    """One client process: ``threads`` keep-alive connections posting one-event batches until the deadline.

    Each connection is a plain socket sending a prepared HTTP/1.1 request (only the event id changes) and
    reading the response by its ``Content-Length``: the load generator shares the cores with the server,
    so it spends as little of them as it can."""
    host, port = url.split(":")
    latencies: list[float] = []
    refused = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        connection: _Connection | None = None
        mine: list[float] = []
        failures = 0
        sequence = 0
        while time.perf_counter() < deadline:
            body = json.dumps([_event(f"bench-{worker}-{number}-{sequence}")]).encode()
            sequence += 1
            sent = time.perf_counter()
            try:
                connection = connection or _Connection(host, int(port), token)
                status = connection.post("/ingest/events", body)
            except (OSError, ValueError):
                failures += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            if status == 200:
                mine.append(time.perf_counter() - sent)
            else:
                failures += 1
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            refused[0] += failures

    started = time.perf_counter()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, refused[0], time.perf_counter() - started


class _Connection:
    """A keep-alive HTTP/1.1 connection that posts JSON and reads the status of each answer."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host = host
        self.token = token
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def post(self, path: str, body: bytes) -> int:
        """Send one request; return the answer's status once its whole body has arrived."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.sock.sendall(head + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = next(
            (int(v) for k, _, v in (h.partition(b":") for h in lines[1:]) if k.lower() == b"content-length"), 0
        )
        while len(rest) < length:
            rest += self._recv()
        self.buffer = rest[length:]
        return status

    def _fill(self) -> None:
        self.buffer += self._recv()

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise OSError("connection closed by the server")
        return data

    def close(self) -> None:
        self.sock.close()


BENCH_ORG = "0b0b0b0b-0000-4000-8000-00000000b0b0"


def _event(event_id: str, org_id: str = BENCH_ORG, provider_id: str | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "org_id": org_id,
        "provider_id": provider_id or "0c0c0c0c-0000-4000-8000-00000000c0c0",
        "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "event_name": "page_view",
        "session_id": "bench-session",
        "source": "bench",
    }


def _freshness(
    url: str, timezone: str, interval_minutes: float, server: subprocess.Popen[bytes], tokens: BenchTokens
) -> tuple[float | None, float | None, str, str]:
    """Post a marker event; seconds from its acknowledgement to the end of the first build started after it."""
    org_id = str(uuid.uuid4())
    marker = _event(f"bench-marker-{org_id}", org_id=org_id, provider_id=str(uuid.uuid4()))
    status, _ = _post(url, [marker], tokens.ingest)
    acked = datetime.now(UTC)
    day = acked.astimezone(ZoneInfo(timezone)).date().isoformat()
    if status != 200:
        return None, None, org_id, day

    def built() -> dict[str, Any] | None:
        last = _get(url, "/api/v1/status", tokens.analyst)[1].get("build", {}).get("last_success")
        if last and datetime.fromisoformat(last["started_at"]) > acked:
            return dict(last)
        return None

    found = _wait(built, interval_minutes * 60 * 3 + 900, "a build after the marker event", server)
    finished = datetime.fromisoformat(found["finished_at"])
    freshness = (finished - acked).total_seconds()
    return freshness, float(found["seconds"]), org_id, day


def _verify(variables: dict[str, str], state: Path, org_id: str, day: str) -> bool:
    """Whether ``metrics_daily`` shows the marker's org active today (read after the server stopped)."""
    from vitals.config import load_settings
    from vitals.warehouse import open_warehouse

    with environment({**variables, "VITALS_STATE_DIR": str(state)}), open_warehouse(load_settings()) as warehouse:
        rows = warehouse.query(
            "select value from metrics_daily where metric_name = 'dau' and entity_type = 'org' "
            "and entity_id = ? and cast(metric_date as varchar) = ?",
            [org_id, day],
        )
    return bool(rows) and float(rows[0][0]) == 1.0


def _request(
    url: str, method: str, path: str, body: bytes | None = None, token: str | None = None
) -> tuple[int, dict[str, Any]]:
    host, port = url.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        return 0, {}
    finally:
        connection.close()
    try:
        return response.status, dict(json.loads(data))
    except (ValueError, TypeError):
        return response.status, {}


def _get(url: str, path: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    return _request(url, "GET", path, token=token)


def _post(url: str, events: list[dict[str, Any]], token: str) -> tuple[int, dict[str, Any]]:
    return _request(url, "POST", "/ingest/events", json.dumps(events).encode(), token)


def _wait(check: Callable[[], Any], timeout: float, what: str, server: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if server.poll() is not None:
            raise BenchError(f"the benchmark server exited ({server.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise BenchError(f"timed out waiting for {what}")
        time.sleep(0.2)
