"""`vitals bench --api`: latency of the dashboard's main API reads through `vitals serve` over HTTP.

Each round sends every endpoint ``warmup`` unmeasured requests, then ``requests`` measured ones, one at a
time over a kept-alive connection (as a dashboard does); the report gives each endpoint's p50, p95 and p99
per round and their medians over the rounds, against the aim of p95 <= 50 ms.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from vitals.bench.served import Served, serving
from vitals.config import Settings
from vitals.metrics.headline import HEADLINE

AIM_P95_MS = 50.0
SERIES_DAYS = 90


@dataclass
class EndpointLatency:
    """One endpoint: its path, per-round percentiles (ms) and their medians."""

    name: str
    path: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rounds: list[dict[str, float]] = field(default_factory=list)

    @property
    def meets_aim(self) -> bool:
        return self.p95_ms <= AIM_P95_MS


@dataclass
class ApiBenchReport:
    """Every endpoint's latency, and how it was measured."""

    engine: str
    warehouse: str
    requests: int
    warmup: int
    rounds: int
    as_of: str | None
    measured_at: str
    aim_p95_ms: float = AIM_P95_MS
    endpoints: list[EndpointLatency] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        out = [
            f"API latency through vitals serve over {self.warehouse} ({self.engine}): {self.requests} requests "
            f"per endpoint after {self.warmup} warm-up, medians of {self.rounds} rounds (ms)",
            f"{'endpoint':<34} {'p50':>7} {'p95':>7} {'p99':>7}",
        ]
        for e in self.endpoints:
            mark = "" if e.meets_aim else f"  over the {self.aim_p95_ms:.0f} ms p95 aim"
            out.append(f"{e.name:<34} {e.p50_ms:>7.1f} {e.p95_ms:>7.1f} {e.p99_ms:>7.1f}{mark}")
        return out


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, linearly interpolated."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def dashboard_endpoints(client: httpx.Client) -> list[tuple[str, str]]:
    """The reads a dashboard page makes, with ids and days taken from the warehouse's own answers."""
    summary = _ok(client, "/api/v1/summary?period=week")
    end = date.fromisoformat(summary["end"]) if summary.get("end") else datetime.now(UTC).date()
    start = end - timedelta(days=SERIES_DAYS - 1)
    endpoints = [("summary week", "/api/v1/summary?period=week")]
    for metric in HEADLINE:
        endpoints.append((f"series {metric} 90d", f"/api/v1/metrics/{metric}/series?from={start}&to={end}"))
    endpoints.append(("orgs", "/api/v1/orgs"))
    orgs = _ok(client, "/api/v1/orgs?limit=1")["items"]
    if orgs:
        endpoints.append(("org detail", f"/api/v1/orgs/{orgs[0]['org_id']}"))
    endpoints += [
        ("cohorts retention", "/api/v1/cohorts?kind=retention"),
        ("catalog", "/api/v1/metrics"),
        ("alerts", "/api/v1/alerts"),
        ("alerts firing", "/api/v1/alerts?state=firing"),
    ]
    return endpoints


def _ok(client: httpx.Client, path: str) -> dict[str, Any]:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status_code}: {response.text[:300]}")
    answer: dict[str, Any] = response.json()
    return answer


def measure(client: httpx.Client, path: str, requests: int, warmup: int) -> list[float]:
    """Milliseconds of ``requests`` sequential GETs of ``path`` after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        _ok(client, path)
    times: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}: {response.text[:300]}")
        times.append(elapsed)
    return times


def run_api_bench(
    settings: Settings,
    *,
    requests: int = 200,
    warmup: int = 20,
    rounds: int = 3,
    out: Path | None = None,
    say: Callable[[str], None] = print,
) -> ApiBenchReport:
    """Start `vitals serve` over the settings' warehouse and measure every dashboard endpoint."""
    with serving(settings, name="bench-api") as served:
        return _bench(settings, served, requests=requests, warmup=warmup, rounds=rounds, out=out, say=say)


def _bench(
    settings: Settings,
    served: Served,
    *,
    requests: int,
    warmup: int,
    rounds: int,
    out: Path | None,
    say: Callable[[str], None],
) -> ApiBenchReport:
    headers = {"Authorization": f"Bearer {served.token}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=60) as client:
        endpoints = dashboard_endpoints(client)
        per_round: dict[str, list[dict[str, float]]] = {name: [] for name, _ in endpoints}
        for i in range(rounds):
            for name, path in endpoints:
                times = measure(client, path, requests, warmup)
                per_round[name].append(
                    {
                        "p50_ms": percentile(times, 0.5),
                        "p95_ms": percentile(times, 0.95),
                        "p99_ms": percentile(times, 0.99),
                    }
                )
            say(f"round {i + 1}/{rounds} done")
        as_of = _ok(client, "/api/v1/summary?period=week").get("end")
    report = ApiBenchReport(
        engine=settings.engine,
        warehouse=str(settings.warehouse) if settings.engine == "duckdb" else settings.engine,
        requests=requests,
        warmup=warmup,
        rounds=rounds,
        as_of=str(as_of) if as_of else None,
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    for name, path in endpoints:
        rows = per_round[name]
        report.endpoints.append(
            EndpointLatency(
                name=name,
                path=path,
                p50_ms=statistics.median(r["p50_ms"] for r in rows),
                p95_ms=statistics.median(r["p95_ms"] for r in rows),
                p99_ms=statistics.median(r["p99_ms"] for r in rows),
                rounds=rows,
            )
        )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(asdict(report), indent=2))
    return report
