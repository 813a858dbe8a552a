"""Time loading a synthetic events CSV: ``python tests/ingest/bench_load.py [rows] [duckdb|postgres DSN]``.

The CSV is written by DuckDB from ``range()`` (about 100 orgs, 2,000 providers, properties with
allowlisted and PHI keys), then loaded twice: the second load measures the all-duplicates path.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from vitals.config import PostgresSettings, Settings
from vitals.ingest.files import load_directory


def write_events_csv(path: Path, rows: int) -> None:
    """A valid events_big CSV of ``rows`` rows."""
    duckdb.sql(
        f"""
        copy (
            select
                'evt_' || i as event_id,
                'org-' || (i % 100) as org_id,
                'prov-' || (i % 2000) as provider_id,
                '' as user_id,
                strftime(timestamp '2024-01-01' + to_seconds(i * 7), '%Y-%m-%d %H:%M:%S.%g') as occurred_at,
                (['note_submit', 'summarize_start', 'summarize_success', 'note_save', 'page_view'])[1 + i % 5]
                    as event_name,
                'sess_' || (i // 20) as session_id,
                'req_' || (i // 4) as request_id,
                'app' as source,
                '/api/v1/notes' as endpoint,
                'Chrome/Windows' as device,
                'US' as geo_country,
                '{{"note_id": "n' || (i // 4) || '", "length": ' || (i % 900) ||
                    ', "patient_name": "Jane Doe", "quality_score": 0.93}}' as properties,
                strftime(timestamp '2024-01-01' + to_seconds(i * 7 + 1), '%Y-%m-%d %H:%M:%S') as inserted_at,
                'frontend_logger' as _ingest_source,
                strftime(timestamp '2024-01-01' + to_seconds(i * 7 + 2), '%Y-%m-%d %H:%M:%S') as _ingest_ts
            from range({rows}) as t(i)
        ) to '{path}' (header, delimiter ',')
        """
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    engine = sys.argv[2] if len(sys.argv) > 2 else "duckdb"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        started = time.perf_counter()
        write_events_csv(folder / "events_big.csv", rows)
        print(f"wrote {rows:,} rows in {time.perf_counter() - started:.1f} s")
        if engine == "duckdb":
            settings = Settings(warehouse=Path(tmp) / "bench.duckdb", state_dir=Path(tmp) / ".vitals")
        else:
            settings = Settings(
                engine="postgres", postgres=PostgresSettings(dsn=engine), state_dir=Path(tmp) / ".vitals"
            )
        for attempt in ("first load", "second load (all present)"):
            started = time.perf_counter()
            report = load_directory(settings, folder, progress=False)
            seconds = time.perf_counter() - started
            print(f"{attempt}: {seconds:.1f} s, {report.rows_read / seconds:,.0f} rows/s")
            print(report)


if __name__ == "__main__":
    main()
