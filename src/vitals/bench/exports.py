"""`vitals bench --exports`: export big marts as CSV and Parquet through `vitals serve`'s API over HTTP, the
client streaming and discarding the body, and report rows, bytes, seconds and the server's peak RSS growth.

The growth is the server's peak resident set during the export minus its size just before (the peak is
reset through ``/proc/PID/clear_refs`` first). An export that held its result in memory would grow by about
the size of the export; a streamed one grows by a few chunks plus what DuckDB caches of the table it scans.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from vitals.bench.served import Served, serving
from vitals.config import Settings

DEFAULT_MARTS = ("metrics_daily", "mart_customer_success_provider_health")
FORMATS = ("csv", "parquet")


@dataclass
class ExportRun:
    """One export as measured."""

    mart: str
    format: str
    rows: int
    bytes: int
    chunks: int
    seconds: float
    rss_before_mb: float
    peak_rss_mb: float
    peak_growth_mb: float
    first_chunk_seconds: float


@dataclass
class ExportBenchReport:
    """Every export, the server's own peak over the whole run, and where it ran."""

    engine: str
    warehouse: str
    batch_rows: int
    peak_reset: bool
    measured_at: str
    runs: list[ExportRun] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        out = [f"exports through vitals serve over {self.warehouse} ({self.engine}), {self.batch_rows:,} rows/chunk"]
        for r in self.runs:
            out.append(
                f"{r.mart}.{r.format:<8} {r.rows:>11,} rows {r.bytes / 1e6:>9.1f} MB {r.seconds:>6.1f} s  "
                f"server RSS {r.rss_before_mb:,.0f} MB, peak +{r.peak_growth_mb:,.0f} MB"
            )
        return out


def mart_rows(settings: Settings, mart: str) -> int:
    """Rows of ``mart`` in the warehouse (what a full export must send)."""
    from vitals.warehouse import open_warehouse

    with open_warehouse(settings) as warehouse:
        return int(warehouse.query(f"select count(*) from {warehouse.core_schema}.{mart}")[0][0])


def measure_export(served: Served, mart: str, fmt: str, *, timeout: float = 600.0) -> tuple[ExportRun, bool]:
    """Export ``mart`` as ``fmt``, reading the body chunk by chunk and discarding it (CSV: its lines are
    counted; Parquet: spooled to a temporary file for its footer's row count); the run and whether the
    server's peak could be reset before it."""
    reset = served.reset_peak()
    before = served.rss_kb()
    size = chunks = 0
    first: float | None = None
    newlines = 0
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {served.token}"}
    with (
        tempfile.TemporaryFile() as spool,
        httpx.Client(base_url=served.url, timeout=timeout) as client,
        client.stream("GET", f"/api/v1/export/{mart}.{fmt}", headers=headers) as response,
    ):
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"export {mart}.{fmt}: HTTP {response.status_code}: {response.text[:300]}")
        for chunk in response.iter_raw():
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            chunks += 1
            if fmt == "csv":
                newlines += chunk.count(b"\n")
            else:
                spool.write(chunk)  # to disk, never held: its footer gives the row count
        seconds = time.perf_counter() - started
        peak = served.peak_kb()
        if fmt != "csv":
            spool.seek(0)
            newlines = pq.ParquetFile(spool).metadata.num_rows + 1
    run = ExportRun(
        mart=mart,
        format=fmt,
        rows=max(newlines - 1, 0),
        bytes=size,
        chunks=chunks,
        seconds=seconds,
        rss_before_mb=before / 1024,
        peak_rss_mb=peak / 1024,
        peak_growth_mb=max(peak - before, 0) / 1024,
        first_chunk_seconds=first or seconds,
    )
    return run, reset


def run_export_bench(
    settings: Settings,
    *,
    marts: Sequence[str] = DEFAULT_MARTS,
    formats: Sequence[str] = FORMATS,
    out: Path | None = None,
    say: Callable[[str], None] = print,
) -> ExportBenchReport:
    """Start `vitals serve` over the settings' warehouse and export each mart in each format once."""
    counts = {mart: mart_rows(settings, mart) for mart in marts}
    report = ExportBenchReport(
        engine=settings.engine,
        warehouse=str(settings.warehouse) if settings.engine == "duckdb" else settings.engine,
        batch_rows=settings.api.export_batch_rows,
        peak_reset=True,
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    with serving(settings, name="bench-exports") as served:
        for mart in marts:
            for fmt in formats:
                run, reset = measure_export(served, mart, fmt)
                if run.rows < counts[mart] or (fmt == "parquet" and run.rows != counts[mart]):
                    # (a quoted CSV value may hold a newline: more lines than rows, never fewer)
                    raise RuntimeError(f"export {mart}.{fmt} sent {run.rows:,} rows of {counts[mart]:,}")
                run.rows = counts[mart]
                report.peak_reset = report.peak_reset and reset
                report.runs.append(run)
                say(report.lines()[-1])
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(asdict(report), indent=2))
    return report
