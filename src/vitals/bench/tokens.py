"""The API tokens a benchmark's server is driven with, made in its warehouse before the server owns it.

`vitals serve` refuses ``POST /ingest/events`` without an ingest (or admin) token and ``GET /api/v1/status``
without an admin or analyst token; the benchmarks that start a server make one of each here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from vitals.process_env import environment


@dataclass(frozen=True)
class BenchTokens:
    """The run's API tokens: one to post events with, one to read the server's status with."""

    ingest: str
    analyst: str


def make_tokens(variables: dict[str, str], state: Path, prefix: str = "bench") -> BenchTokens:
    """An ingest and an analyst token in the warehouse that ``variables`` (``VITALS_*``) and ``state`` name.

    Call it before the server starts: on DuckDB the server holds the file's lock for its whole life.
    """
    from vitals.api.tokens import TokenStore
    from vitals.config import load_settings
    from vitals.warehouse import open_warehouse

    suffix = uuid.uuid4().hex[:6]
    with environment({**variables, "VITALS_STATE_DIR": str(state)}), open_warehouse(load_settings()) as warehouse:
        store = TokenStore(warehouse)
        ingest = store.create("ingest", name=f"{prefix}-ingest-{suffix}")[1]
        analyst = store.create("analyst", name=f"{prefix}-status-{suffix}")[1]
    return BenchTokens(ingest, analyst)
