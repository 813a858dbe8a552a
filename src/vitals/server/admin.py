"""Admin endpoints, protected by the shared ``serve.admin_secret`` (``Authorization: Bearer <secret>``).

- ``POST /api/v1/admin/build`` runs a build in the server (after the pending journal is applied);
  body ``{"full_refresh": false, "as_of": null, "select": null}``, all optional.
- ``POST /api/v1/admin/load`` loads a directory of raw files that the server can read; body
  ``{"directory": "/abs/path"}``.

No secret configured: 503. Wrong or missing token: 401. The token is checked before any of the body is
read (``AdminRoute``), and the body is then read up to ``api.max_body_bytes`` like every API route (more:
413). Both run under the writer lock, so they wait for a running build or apply and are never interleaved
with one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from vitals.config import Settings
from vitals.server.runtime import Runtime
from vitals.webhook_support import BodyTooLarge, read_body

BUILD_PATH = "/api/v1/admin/build"
LOAD_PATH = "/api/v1/admin/load"


class BuildRequest(BaseModel):
    """What to build."""

    full_refresh: bool = Field(default=False, description="Rebuild every model from scratch.")
    as_of: datetime | None = Field(default=None, description="Build as of this time (default now).")
    select: str | None = Field(default=None, description="dbt selector.")


class LoadRequest(BaseModel):
    """What to load."""

    directory: str = Field(description="Directory of raw files, as the server's process sees it.")


def refusal(settings: Settings, authorization: str | None) -> tuple[int, str] | None:
    """Why a request with this ``Authorization`` header may not use the admin routes, or None."""
    secret = settings.serve.admin_token()
    if not secret:
        return 503, "admin endpoints are disabled: set serve.admin_secret (VITALS_SERVE__ADMIN_SECRET)"
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), secret.encode()):
        return 401, "a valid admin token is required (Authorization: Bearer <secret>)"
    return None


def admin_route_class(settings: Settings) -> type[APIRoute]:
    """A route class that refuses before reading the body, then reads at most ``api.max_body_bytes``
    (the framework would read and parse a body of any size before any dependency runs)."""
    limit = settings.api.max_body_bytes

    class AdminRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                refused = refusal(settings, request.headers.get("authorization"))
                if refused is not None:
                    return JSONResponse({"detail": refused[1]}, refused[0])
                try:
                    request._body = await read_body(request, limit)
                except BodyTooLarge:
                    return JSONResponse({"detail": f"request body larger than {limit} bytes"}, 413)
                return await handler(request)

            return guarded

    return AdminRoute


def create_router(runtime: Runtime) -> APIRouter:
    """The admin routes."""

    def require_admin(authorization: Annotated[str | None, Header()] = None) -> None:
        refused = refusal(runtime.settings, authorization)
        if refused is not None:  # the route class answered already; kept for apps that mount other classes
            raise HTTPException(*refused)

    router = APIRouter(
        prefix="/api/v1/admin",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        route_class=admin_route_class(runtime.settings),
    )

    @router.post("/build", summary="Run a build in the server")
    async def admin_build(request: BuildRequest | None = None) -> dict[str, Any]:
        wanted = request or BuildRequest()
        as_of = wanted.as_of
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        return await run_in_threadpool(_build, runtime, wanted, as_of)

    @router.post("/load", summary="Load a directory of raw files in the server")
    async def admin_load(request: LoadRequest) -> dict[str, Any]:
        return await run_in_threadpool(_load, runtime, Path(request.directory))

    return router


def _build(runtime: Runtime, wanted: BuildRequest, as_of: datetime | None) -> dict[str, Any]:
    from vitals.warehouse.dbt import BuildError

    try:
        result = runtime.builder.run(
            as_of=as_of, full_refresh=wanted.full_refresh, select=wanted.select, trigger="admin"
        )
    except BuildError as exc:
        return {"success": False, "error": str(exc)}
    return {"success": True, "as_of": result.as_of.isoformat(), "seconds": round(result.elapsed, 3)}


def _load(runtime: Runtime, directory: Path) -> dict[str, Any]:
    from vitals.ingest.errors import LoadError
    from vitals.ingest.files import load_directory

    try:
        with runtime.writer.lock:
            report = load_directory(runtime.settings, directory, progress=False)
    except LoadError as exc:
        raise HTTPException(400, str(exc)) from None
    return {
        "success": True,
        "report": report.render(),
        "rows_read": report.rows_read,
        "rows_inserted": report.rows_inserted,
    }
