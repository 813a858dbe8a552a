"""The route class of every API route: a bounded request body (JSON without non-finite numbers or deep
nesting), and vitals' errors as clear 4xx/5xx.

It travels with the routes when the router is included in another app (exception handlers and
middleware would not), so the server that mounts the API gets the same behaviour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import duckdb
import psycopg.errors
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from vitals.api.scope import BadRequest, Forbidden, NotFound
from vitals.api.settings import ApiSettings
from vitals.api.tokens import TokenError
from vitals.errors import Conflict
from vitals.json_body import JsonBodyError, NotJson, parse_json
from vitals.metrics.catalog import CatalogError
from vitals.warehouse.base import WarehouseError, WarehouseLockedError
from vitals.webhook_support import BodyTooLarge, read_body

log = logging.getLogger(__name__)
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (Forbidden, 403),
    (NotFound, 404),
    (CatalogError, 404),
    (BadRequest, 400),
    (Conflict, 409),
    (TokenError, 400),
    (WarehouseLockedError, 503),
    (WarehouseError, 503),
)


class ApiRoute(APIRoute):
    """Reads the body up to ``api.max_body_bytes`` (413 beyond) and answers known errors with a status."""

    def _max_body(self) -> int:
        for depends in self.dependencies:
            ctx = getattr(depends.dependency, "vitals_ctx", None)
            if ctx is not None:
                return int(ctx.settings.api.max_body_bytes)
        return ApiSettings().max_body_bytes

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            if request.method in {"POST", "PUT", "PATCH"}:
                try:
                    request._body = await read_body(request, self._max_body())
                except ClientDisconnect:  # the client left mid-body: nobody to answer, nothing to log
                    return Response(status_code=400)
                except BodyTooLarge:
                    return JSONResponse({"detail": f"request body larger than {self._max_body()} bytes"}, 413)
                problem = _json_problem(request)
                if problem is not None:
                    return JSONResponse({"detail": problem}, 400)
            try:
                return await handler(request)
            except (duckdb.CatalogException, psycopg.errors.UndefinedTable) as exc:
                first = str(exc).strip().splitlines()[0][:200]
                message = f"the warehouse is not built yet ({first}): run `vitals build`"
                return JSONResponse({"detail": message}, 503)
            except tuple(kind for kind, _ in STATUS) as exc:
                status = next(code for kind, code in STATUS if isinstance(exc, kind))
                if status >= 500:
                    log.warning("api %s %s: %s", request.method, request.url.path, exc)
                return JSONResponse({"detail": str(exc)}, status)

        return bounded


def _json_problem(request: Request) -> str | None:
    """Why a JSON body must be refused before the framework parses it (non-finite numbers, too deep a
    nesting), or None. A body that is not JSON at all is left to the framework's own 422."""
    body: bytes = request._body
    if not body.strip() or "json" not in request.headers.get("content-type", "json"):
        return None
    try:
        parse_json(body)
    except NotJson:
        return None
    except JsonBodyError as exc:
        return str(exc)
    return None
