"""Data health: the system health (one status, Healthy, Warning or Degraded, with its reasons in sentences);
per source its freshness (lag of the newest row, live from the server's status and as of the last build),
rows, duplicates, unparsed ids; the last builds and the scheduled jobs with their errors.

It shows the service's own state, so it needs the ``operations`` feature (admin and analyst tokens)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vitals.api.scope import Source
from vitals.dashboard.datasets import Column, Table, timestamp
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.system_health import SOURCE_NAMES, SystemHealth

DATA_HEALTH = Source("{core}.mart_data_health", "global")
NO_BUILD = "No data health yet: no source has been loaded and built."


def build(view: View) -> Content:
    """The system health, and the sources, builds and jobs tables (the sources keep the landing table's name
    in their rows, for the CSV, and show the name people know them by)."""
    view.scope.require("operations")
    now = datetime.now(UTC)
    live = _live_freshness(view, now)
    sources = _sources(view, live)
    builds, jobs = _builds(view), _jobs(view)
    health = None
    if view.runtime is None:
        view.notices.append("The system health, live freshness, builds and jobs are known to the running server only.")
    else:
        from vitals.server.system_check import check_system

        health = _health(check_system(view.runtime, now, sources=live))
    context = {"system_health": health, "sources": sources, "builds": builds, "jobs": jobs}
    return Content(context, [sources, builds, jobs])


def _health(health: SystemHealth) -> dict[str, Any]:
    """The system health as the page shows it: a badge and the reasons in sentences."""
    return {
        "status": health.status,
        "label": health.label,
        "reasons": [reason.as_dict() for reason in health.reasons],
        "checked_at": timestamp(health.checked_at),
    }


def _live_freshness(view: View, now: datetime) -> dict[str, dict[str, Any]]:
    """The server's status of each source (newest row's landing time and its lag now), when served."""
    if view.runtime is None:
        return {}
    from vitals.server.system_check import source_freshness

    found: dict[str, dict[str, Any]] = source_freshness(view.runtime, now)
    return found


def _sources(view: View, live: dict[str, dict[str, Any]]) -> Table:
    columns = [
        Column("source_table", "source", names=SOURCE_NAMES),
        Column("lag_seconds", "lag now", "seconds"),
        Column("newest_row_loaded_at", "newest row landed (UTC)"),
        Column("freshness_lag_sec", "lag at build", "seconds"),
        Column("rows_raw", "rows", "count"),
        Column("rows_kept", "kept", "count"),
        Column("duplicates_dropped", "duplicates", "count"),
        Column("invalid_id_rows", "unparsed ids", "count"),
        Column("invalid_json_rows", "bad JSON", "count"),
        Column("unknown_org_rows", "unknown org", "count"),
        Column("rows_rejected", "rejected", "count"),
        Column("as_of", "built as of (UTC)"),
    ]
    rows = []
    if view.scope.warehouse.table_exists(view.scope.warehouse.core_schema, "mart_data_health"):
        rows = view.scope.select(
            DATA_HEALTH,
            columns=", ".join(c.key for c in columns if c.key not in ("lag_seconds", "newest_row_loaded_at")),
            order_by="source_table",
            org_level=False,
        )
    for row in rows:
        status = live.get(str(row["source_table"]), {})
        row["lag_seconds"] = status.get("lag_seconds")
        row["newest_row_loaded_at"] = _time(status.get("newest_row_loaded_at"))
        row["as_of"] = _time(str(row["as_of"])) if row["as_of"] is not None else None
        for key in ("rows_raw", "rows_kept", "duplicates_dropped", "invalid_id_rows", "invalid_json_rows"):
            row[key] = None if row[key] is None else int(row[key])
    known = {str(r["source_table"]) for r in rows}
    for name, status in sorted(live.items()):
        if name not in known and status.get("newest_row_loaded_at"):
            # a source the last build's data health does not cover yet: its live freshness, the rest blank
            blank: dict[str, Any] = {c.key: None for c in columns}
            live_keys = ("lag_seconds", "newest_row_loaded_at")
            rows.append({**blank, "source_table": name, **{k: status.get(k) for k in live_keys}})
            rows[-1]["newest_row_loaded_at"] = _time(rows[-1]["newest_row_loaded_at"])
    return Table("sources", "Sources", columns, rows, NO_BUILD)


def _builds(view: View) -> Table:
    columns = [
        Column("which", "build"),
        Column("trigger", "trigger"),
        Column("started_at", "started (UTC)"),
        Column("seconds", "took", "seconds"),
        Column("outcome", "outcome"),
        Column("as_of", "as of"),
        Column("error", "error"),
    ]
    rows = []
    if view.runtime is not None:
        status = view.runtime.builder.status()
        for which, label in (("last", "last"), ("last_success", "last successful")):
            record = status.get(which)
            if record:
                rows.append({"which": label, **record, "started_at": _time(record["started_at"])})
    empty = "No build since the server started: the server builds on its schedule."
    return Table("builds", "Builds", columns, rows, empty)


def _jobs(view: View) -> Table:
    columns = [
        Column("job", "job"),
        Column("runs", "runs", "count"),
        Column("failures", "failures", "count"),
        Column("last_outcome", "last outcome"),
        Column("last_finished", "last finished (UTC)"),
        Column("last_error", "last error"),
        Column("last_error_at", "error at (UTC)"),
        Column("next_run", "next run (UTC)"),
    ]
    rows = []
    if view.runtime is not None:
        for name, state in sorted(view.runtime.scheduler.states().items()):
            rows.append(
                {
                    "job": name,
                    **state,
                    **{k: _time(state.get(k)) for k in ("last_finished", "last_error_at", "next_run")},
                }
            )
    empty = "No scheduled jobs: this dashboard is not running inside the server."
    return Table("jobs", "Scheduled jobs", columns, rows, empty)


def _time(value: str | None) -> str | None:
    """A moment to the minute, without fractions of a second or offset."""
    return timestamp(value) if value else None


PAGE = register(
    Page("data-health", "Data health", "/data-health", "data_health.html", build, order=70, requires="operations")
)
