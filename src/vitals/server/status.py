"""``GET /healthz``, ``GET /readyz`` and ``GET /api/v1/status``.

The first two are open (load balancers and orchestrators probe them) and say nothing but up and ready.
Status holds file paths, build and job errors: it needs an admin or analyst API token (feature
``operations``): 401 without a valid token, 403 for another role.

Status reports, per raw table, the freshness of its newest row (``_loaded_at``, when vitals landed it,
and the lag from then to now) and the latest load recorded for it; the last build and the last
successful one; each scheduled job's runs, failures, last outcome and last error; the journal; and the
system health, one status (healthy, warning or degraded) with its reasons (``vitals.system_health``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vitals.api.auth import bearer
from vitals.server.runtime import Runtime
from vitals.server.system_check import check_system, source_freshness
from vitals.server.token_gate import Refusal


def create_router(runtime: Runtime) -> APIRouter:
    """The health, readiness and status routes."""
    router = APIRouter()

    @router.get("/healthz", summary="The process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The warehouse is open and the journal replayed")
    async def readyz() -> JSONResponse:
        if runtime.ready.is_set():
            return JSONResponse({"ready": True})
        reason = runtime.replay_error or "replaying the journal"
        return JSONResponse({"ready": False, "reason": reason}, status_code=503)

    @router.get(
        "/api/v1/status",
        summary="Freshness per source, the last build, job errors, the journal, the system health "
        "(admin or analyst token)",
        dependencies=[Depends(bearer)],
    )
    async def status(authorization: Annotated[str | None, Header(include_in_schema=False)] = None) -> Any:
        verdict = runtime.tokens.cached(authorization, "operations")
        if verdict is None:
            verdict = await run_in_threadpool(runtime.tokens.check, authorization, "operations")
        if isinstance(verdict, Refusal):
            headers = {"WWW-Authenticate": "Bearer"} if verdict.status == 401 else None
            return JSONResponse({"detail": verdict.message}, status_code=verdict.status, headers=headers)
        return await run_in_threadpool(service_status, runtime)

    return router


def service_status(runtime: Runtime) -> dict[str, Any]:
    """The status document."""
    now = datetime.now(UTC)
    sources = source_freshness(runtime, now)
    return {
        "ready": runtime.ready.is_set(),
        "engine": runtime.settings.engine,
        "now": now.isoformat(),
        "sources": sources,
        "build": runtime.builder.status(),
        "jobs": runtime.scheduler.states(),
        "journal": {
            "pending_batches": runtime.writer.pending,
            "recovered_at_start": runtime.recovered,
            "applied_batches": runtime.writer.stats.applied_batches,
            "skipped_batches": runtime.writer.stats.skipped_batches,
            "rows_inserted": runtime.writer.stats.rows_inserted,
            "last_applied_at": runtime.writer.stats.last_applied_at,
            "last_error": runtime.writer.stats.last_error,
            "commits": runtime.journal.commits,
            "records_committed": runtime.journal.records_committed,
            "segments": len(runtime.journal.segments()),
        },
        "system_health": check_system(runtime, now, sources=sources).as_dict(),
    }
