"""What the last build of a warehouse recorded, and whether the next one may be incremental.

The incremental models keep a state row each in ``vitals_build_state`` (see the dbt macro
``macros/incremental.sql``): how far they have read the raw tables, the as-of time and the fingerprint of the
build that wrote them. A build may go on from there only when it looks forward from the same models and
settings; otherwise it must rebuild every table (``--full-refresh``), and :func:`full_refresh_reason` says why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from vitals.warehouse.base import Warehouse

BuildKind = Literal["first", "incremental", "full"]

STATE_TABLE = "vitals_build_state"
"""The bookkeeping table of the incremental models, in the warehouse's core schema."""

MARKER_TABLE = "metrics_daily"
"""A table every build writes: when it exists without state rows, the warehouse predates the bookkeeping."""

_FINGERPRINTED = ("dbt_project.yml", "models", "macros")


def fingerprint(project_dir: Path, build_vars: dict[str, Any]) -> str:
    """A digest of the dbt project's models, macros and settings and of the build's vars (less the as-of
    time): two builds with the same fingerprint compute every row the same way."""
    digest = hashlib.sha256()
    stable = {key: value for key, value in build_vars.items() if key not in {"as_of", "build_fingerprint"}}
    digest.update(json.dumps(stable, sort_keys=True, default=str).encode())
    for name in _FINGERPRINTED:
        root = project_dir / name
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in paths:
            if path.is_file() and path.suffix in {".sql", ".yml", ".yaml"}:
                digest.update(str(path.relative_to(project_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class BuildPlan:
    """How a build runs: ``first`` (nothing built yet: every table whole), ``incremental`` (each incremental
    model recomputes what changed) or ``full`` (``--full-refresh``: every table whole again), and why."""

    kind: BuildKind
    reason: str | None = None

    @property
    def full_refresh(self) -> bool:
        """Whether dbt must rebuild the incremental tables whole."""
        return self.kind == "full"

    @property
    def runs_tests(self) -> bool:
        """Whether the data tests run by default: on whole builds; incremental builds skip them (their cost
        grows with the tables, not with the change)."""
        return self.kind != "incremental"


def plan_build(warehouse: Warehouse, as_of: datetime, current: str, *, full_refresh: bool = False) -> BuildPlan:
    """The plan of a build as of ``as_of`` with fingerprint ``current`` (``full_refresh``: asked for)."""
    reason = full_refresh_reason(warehouse, as_of, current)
    if full_refresh:
        return BuildPlan("full", "asked for (--full-refresh)")
    if reason is not None:
        return BuildPlan("full", reason)
    if not warehouse.table_exists(warehouse.core_schema, MARKER_TABLE):
        return BuildPlan("first")
    return BuildPlan("incremental")


def full_refresh_reason(warehouse: Warehouse, as_of: datetime, current: str) -> str | None:
    """Why a build as of ``as_of`` with fingerprint ``current`` cannot go on incrementally, or None.

    None also for a warehouse never built (every table is then built whole anyway).
    """
    schema = warehouse.core_schema
    if not warehouse.table_exists(schema, STATE_TABLE):
        if warehouse.table_exists(schema, MARKER_TABLE):
            return "the warehouse was built before incremental builds kept their state"
        return None
    rows = warehouse.query(f"select model_name, as_of, fingerprint from {schema}.{STATE_TABLE}")
    if not rows:
        return None
    unfinished = sorted(name for name, _, found in rows if found is None)
    if unfinished:
        return f"no finished build recorded for {', '.join(unfinished[:3])}"
    if any(found != current for _, _, found in rows):
        return "the models or the settings changed since the last build"
    latest = max(_naive(moment) for _, moment, _ in rows if moment is not None)
    if as_of < latest:
        return f"as of {as_of:%Y-%m-%d %H:%M:%S} is earlier than the last build's {latest:%Y-%m-%d %H:%M:%S}"
    return None


def _naive(value: Any) -> datetime:
    """A state timestamp as naive UTC (drivers return naive or aware values)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value
