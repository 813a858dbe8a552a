"""Shared small generated datasets and DuckDB views over them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from vitals.generate import GenerateResult, generate

END = date(2026, 3, 10)
"""A fixed last day whose window spans the March 2026 DST change in Los Angeles."""


def small_dataset(out: Path, **overrides: Any) -> GenerateResult:
    """8 orgs over 60 days ending with END (arguments overridable)."""
    args: dict[str, Any] = {"orgs": 8, "days": 60, "seed": 7, "end": END, "progress": False, **overrides}
    return generate(out, **args)


def readers(result: GenerateResult) -> dict[str, str]:
    """A DuckDB table expression per raw table, reading every column as text."""
    out = {}
    for name, path in result.paths.items():
        if path.suffix == ".csv":
            out[name] = f"read_csv('{path}', all_varchar = true)"
        elif path.suffix == ".parquet":
            out[name] = f"read_parquet('{path}')"
        else:
            out[name] = f"read_json('{path}', format = 'newline_delimited', columns = {{{_json_columns(path)}}})"
    return out


def _json_columns(path: Path) -> str:
    from vitals.contracts import RAW_TABLES

    table = RAW_TABLES[path.stem]
    return ", ".join(f"'{c}': 'VARCHAR'" for c in table.column_names)


def connect(result: GenerateResult) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views e (events), b (invoices) and s (Sentry errors), and one per optional
    domain table named after it (crm_deals, support_tickets, ...)."""
    con = duckdb.connect()
    views = readers(result)
    con.execute(f"create view e as select * from {views['events_big']}")
    con.execute(f"create view b as select * from {views['stripe_billing_big']}")
    con.execute(f"create view s as select * from {views['sentry_errors_big']}")
    for name, view in views.items():
        if name not in ("events_big", "stripe_billing_big", "sentry_errors_big"):
            con.execute(f"create view {name} as select * from {view}")
    return con


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> GenerateResult:
    """8 orgs over 60 days, as CSV."""
    return small_dataset(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="session")
def db(small: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB views over the small dataset."""
    con = connect(small)
    yield con
    con.close()


@pytest.fixture(scope="session")
def small_result_window(small: GenerateResult) -> tuple[str, str]:
    """The small dataset's window as ISO text (UTC)."""
    return small.window_start.isoformat(), small.window_end.isoformat()


@pytest.fixture(scope="session")
def wide(tmp_path_factory: pytest.TempPathFactory) -> GenerateResult:
    """30 orgs over 90 days, as CSV."""
    return small_dataset(tmp_path_factory.mktemp("wide"), orgs=30, days=90, seed=11)
