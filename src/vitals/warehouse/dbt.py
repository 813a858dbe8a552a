"""Build the dbt project (raw -> staging -> core) in-process, for the configured engine.

``build(settings)`` writes a dbt profile for the engine under ``settings.state_dir / "dbt"``,
makes sure the raw tables exist, and runs ``dbt build`` (models and their tests) through
``dbtRunner`` with the settings passed as vars.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from vitals.config import Settings
from vitals.process_env import environment
from vitals.warehouse.base import WarehouseError
from vitals.warehouse.build_state import BuildPlan, fingerprint, plan_build
from vitals.warehouse.connect import open_warehouse

PROJECT_DIR = Path(__file__).resolve().parent.parent / "transform"
"""The dbt project shipped inside the package (treated as read-only)."""

PROFILE_NAME = "vitals"

NodeCallback = Callable[[str, str, float], None]
"""Progress callback: ``on_node(name, status, seconds)`` after each model or test finishes."""


class BuildError(WarehouseError):
    """The dbt build failed; the message names the failing models/tests and the database error."""


@dataclass(frozen=True)
class NodeResult:
    """One model, test, unit test or hook that ran."""

    name: str
    resource_type: str
    status: str
    seconds: float
    rows: int | None = None
    message: str | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a build did: per-node results in execution order."""

    success: bool
    as_of: datetime
    nodes: list[NodeResult] = field(default_factory=list)
    elapsed: float = 0.0
    plan: BuildPlan = field(default_factory=lambda: BuildPlan("first"))
    """Whether it was a first, incremental or full build, and why a full one."""
    tested: bool = True
    """Whether the data tests ran."""

    def failures(self) -> list[NodeResult]:
        """Nodes that errored or failed."""
        return [n for n in self.nodes if n.status in {"error", "fail", "runtime error"}]

    def warnings(self) -> list[NodeResult]:
        """Tests that found rows but only warn (the build still succeeded): data to look at."""
        return [n for n in self.nodes if n.status == "warn"]


def dbt_dir(settings: Settings) -> Path:
    """Where profiles, compiled SQL, partial-parse state and logs of this warehouse go: an absolute path (dbt
    resolves relative ones against its project directory, inside the installed package)."""
    return (settings.state_dir / "dbt").resolve()


def format_as_of(as_of: datetime | None) -> datetime:
    """``as_of`` as a naive UTC datetime truncated to the second (default: now)."""
    if as_of is None:
        as_of = datetime.now(UTC)
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    return as_of.replace(microsecond=0)


def profile_for(settings: Settings) -> dict[str, Any]:
    """The dbt profile (one target, named after the engine) for the configured warehouse."""
    output: dict[str, Any]
    if settings.engine == "duckdb":
        output = {
            "type": "duckdb",
            "path": str(Path(settings.warehouse).resolve()),
            "schema": "main",
            # one thread: concurrent DDL on one DuckDB file races (table swaps fail)
            "threads": 1,
            # UTC session; table builds need not keep row order (faster, less memory)
            "settings": {"TimeZone": "UTC", "preserve_insertion_order": False},
        }
    elif settings.engine == "postgres":
        info = psycopg.conninfo.conninfo_to_dict(settings.postgres.dsn)
        output = {
            "type": "postgres",
            "host": str(info.get("host") or "127.0.0.1"),
            "port": int(info.get("port") or 5432),
            "user": str(info.get("user") or os.environ.get("PGUSER") or "postgres"),
            "password": str(info.get("password") or ""),
            "dbname": str(info.get("dbname") or "postgres"),
            "schema": settings.postgres.schema_name,
            "threads": 4,
            "connect_timeout": 10,
            "application_name": "vitals-dbt",
        }
        if info.get("sslmode"):
            output["sslmode"] = str(info["sslmode"])
    else:
        output = {
            "type": "spark",
            "method": "session",
            "host": "NA",
            "schema": "analytics",
            "threads": 1,
        }
        from vitals.warehouse.spark_engine import spark_conf

        # the same session configuration the Spark warehouse uses (UTC session time zone)
        output["server_side_parameters"] = spark_conf(settings)
    return {PROFILE_NAME: {"target": settings.engine, "outputs": {settings.engine: output}}}


def write_profile(settings: Settings) -> Path:
    """Write ``profiles.yml`` for the configured engine; return its directory."""
    directory = dbt_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "profiles.yml"
    # JSON is YAML: no YAML writer needed
    path.write_text(json.dumps(profile_for(settings), indent=2) + "\n")
    path.chmod(0o600)
    return directory


WORKSPACE_ENTRIES = ("dbt_project.yml", "models", "macros", "tests")
"""What a workspace links to in the shipped project."""


def write_workspace(settings: Settings) -> Path:
    """A dbt project directory of this warehouse for plain ``dbt`` and the MetricFlow CLI (``mf``), which write
    their artifacts under the project they run in: links to the shipped models, macros and tests, beside
    the profile's directory, so ``target/`` and ``logs/`` stay out of the installed package. Returns it."""
    workspace = dbt_dir(settings) / "project"
    workspace.mkdir(parents=True, exist_ok=True)
    for name in WORKSPACE_ENTRIES:
        link = workspace / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and link.resolve() == (PROJECT_DIR / name).resolve():
                continue
            link.unlink()
        link.symlink_to(PROJECT_DIR / name, target_is_directory=(PROJECT_DIR / name).is_dir())
    return workspace


def build_vars(settings: Settings, as_of: datetime) -> dict[str, Any]:
    """The dbt vars of a build: the settings and the as-of time (UTC text)."""
    return {**settings.dbt_vars(), "as_of": as_of.strftime("%Y-%m-%d %H:%M:%S")}


def build(
    settings: Settings,
    *,
    as_of: datetime | None = None,
    full_refresh: bool = False,
    select: str | None = None,
    on_node: NodeCallback | None = None,
    tests: bool | None = None,
) -> BuildResult:
    """Build the models as of ``as_of`` (default: now, to the second).

    A warehouse built before goes on incrementally (each incremental model recomputes what changed) unless
    ``full_refresh`` is asked for or the plan needs it (as-of earlier than the last build, models or settings
    changed). ``tests``: run the data and unit tests; by default on first and full builds only.
    Raises ``BuildError`` naming the failing nodes and the database error when anything fails.
    """
    from dbt.cli.main import dbtRunner

    moment = format_as_of(as_of)
    variables = build_vars(settings, moment)
    variables["build_fingerprint"] = fingerprint(PROJECT_DIR, variables)
    as_of_text = variables.pop("as_of")
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        plan = plan_build(warehouse, moment, variables["build_fingerprint"], full_refresh=full_refresh)
    run_tests = runs_tests(settings, plan) if tests is None else tests
    profiles_dir = write_profile(settings)
    work = dbt_dir(settings)
    args = [
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--vars",
        json.dumps(variables),
        "--quiet",
        "--log-level",
        "none",
        "--no-use-colors",
        "--no-version-check",
    ]
    if plan.full_refresh:
        args.append("--full-refresh")
    if not run_tests:
        args += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]

    callbacks = [_progress_callback(on_node)] if on_node is not None else []
    started = time.monotonic()
    with _build_environment(settings, as_of_text):
        try:
            outcome = dbtRunner(callbacks=callbacks).invoke(args)
        finally:
            _release_duckdb(settings)
    elapsed = time.monotonic() - started

    nodes = _node_results(outcome.result)
    result = BuildResult(
        success=bool(outcome.success), as_of=moment, nodes=nodes, elapsed=elapsed, plan=plan, tested=run_tests
    )
    if not outcome.success:
        raise BuildError(_failure_message(result, outcome.exception))
    return result


def runs_tests(settings: Settings, plan: BuildPlan) -> bool:
    """Whether a build runs the data tests when not told: ``settings.data_tests``, where ``auto`` follows the
    plan (whole builds test, incremental builds do not)."""
    if settings.data_tests == "auto":
        return plan.runs_tests
    return settings.data_tests == "always"


def _progress_callback(on_node: NodeCallback) -> Callable[[Any], None]:
    """A dbt event callback that reports each finished node."""

    def callback(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        data = event.data
        name = data.node_info.node_name
        run_result = data.run_result
        with suppress(Exception):  # a progress display must never break the build
            on_node(name, str(run_result.status), float(run_result.execution_time))

    return callback


def _node_results(result: Any) -> list[NodeResult]:
    """Per-node results from a dbt ``RunExecutionResult`` (empty when dbt stopped early)."""
    nodes: list[NodeResult] = []
    for item in getattr(result, "results", None) or []:
        node = item.node
        response = item.adapter_response or {}
        rows = response.get("rows_affected") if isinstance(response, dict) else None
        nodes.append(
            NodeResult(
                name=str(getattr(node, "name", node)),
                resource_type=str(getattr(node, "resource_type", "")),
                status=str(item.status),
                seconds=float(item.execution_time or 0.0),
                rows=int(rows) if isinstance(rows, int) and rows >= 0 else None,
                message=item.message,
            )
        )
    return nodes


def _failure_message(result: BuildResult, exception: BaseException | None) -> str:
    """A short, readable message: which nodes failed and why (first lines of the error)."""
    failed = result.failures()
    if failed:
        lines = [f"dbt build failed ({len(failed)} failing):"]
        for node in failed[:10]:
            lines.append(f"- {node.resource_type} {node.name}: {_first_lines(node.message)}")
        if len(failed) > 10:
            lines.append(f"- ... and {len(failed) - 10} more")
        return "\n".join(lines)
    if exception is not None:
        return f"dbt build failed: {_first_lines(str(exception), 6)}"
    return "dbt build failed (see the dbt log under the state directory)"


def _first_lines(text: str | None, count: int = 4) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return " ".join(lines[:count]) if lines else "(no message)"


AS_OF_ENV = "VITALS_BUILD_AS_OF"
"""The environment variable that carries a build's as-of time to the models (macro ``as_of``). Not a dbt var:
a var that changes at every build makes dbt parse the whole project again (about 3 s of CPU instead of 0.5)."""


def _build_environment(settings: Settings, as_of_text: str) -> AbstractContextManager[None]:
    """The process environment while dbt runs: the as-of time, and what the engine's client library reads
    (PostgreSQL: a UTC session)."""
    values = {AS_OF_ENV: as_of_text}
    if settings.engine == "postgres":
        values["PGTZ"] = "UTC"
    return environment(values)


def _release_duckdb(settings: Settings) -> None:
    """Close dbt-duckdb's cached database so this process (or another) can open the file."""
    if settings.engine != "duckdb":
        return
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    env = getattr(DuckDBConnectionManager, "_ENV", None)
    if env is not None:
        with suppress(Exception):
            env.close()
    DuckDBConnectionManager.close_all_connections()
