"""``POST /ingest/events``: a JSON array of events in the ``events_big`` contract.

The request must carry ``Authorization: Bearer <token>`` of an ``ingest`` (or ``admin``) API token
(``vitals tokens create --role ingest``): 401 without a valid one, 403 for another role; the token is
checked before the body is read. Answers, once the accepted rows are durably journalled (see ``journal``):

- 200 ``{"batch_id", "received", "accepted", "rejected": [{"index", "reason"}]}`` when at least one row
  was accepted, or the array was empty (``batch_id`` null);
- 422, same shape, when every row was rejected (nothing is stored);
- 400 when the body is not a JSON array (or is nested too deeply), 413 above ``serve.events_max_body_bytes`` or
  ``serve.events_max_rows`` rows, 503 until the server is ready, 500 when the journal write failed
  (nothing acknowledged: the client should retry).

Rows are rejected (named by index, with the reason) when they break the contract, hold a lone
surrogate, or have an ``occurred_at`` outside the accepted window (``events.Window``). The acknowledged rows
reach ``raw.events_big`` shortly after, applied by the writer.

``receive`` is the one implementation. The FastAPI route (documented in the OpenAPI schema) calls it, and
so does ``fast_path.ServiceApp``, which answers this path before the framework's middleware and
routing, the larger part of a one-event request's cost.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from vitals.api.auth import bearer
from vitals.contracts import EVENTS
from vitals.json_body import JsonBodyError, NotJson, parse_json
from vitals.server.events import PreparedBatch, Window, prepare_batch, sanitize_with_sql, split_batch
from vitals.server.runtime import Runtime
from vitals.server.token_gate import Refusal
from vitals.webhook_support import BodyTooLarge, read_body

PATH = "/ingest/events"
INLINE_MAX_ROWS = 100
"""Batches up to this many rows are checked on the event loop (microseconds a row); larger ones in a thread."""
log = logging.getLogger("vitals.server.ingest")


@dataclass(frozen=True)
class Answer:
    """What the intake answers: status, JSON payload and whether the client should retry after a second."""

    status: int
    payload: dict[str, Any]
    retry: bool = False
    challenge: bool = False
    """Whether to send ``WWW-Authenticate: Bearer`` (a 401)."""

    def body(self) -> bytes:
        """The payload as compact JSON."""
        return json.dumps(self.payload, separators=(",", ":")).encode()

    def headers(self) -> dict[str, str]:
        """The answer's extra headers."""
        found = {"Retry-After": "1"} if self.retry else {}
        if self.challenge:
            found["WWW-Authenticate"] = "Bearer"
        return found


async def receive(runtime: Runtime, request: Request) -> Answer:
    """The whole request: readiness, then the token (before any of the body is read), then the body.
    ``ClientDisconnect`` when the client goes away mid-body (nobody to answer)."""
    if not runtime.ready.is_set():
        return _error(503, "the server is starting (replaying its journal); retry shortly", retry=True)
    authorization = request.headers.get("authorization")
    verdict = runtime.tokens.cached(authorization, "ingest")
    if verdict is None:
        verdict = await run_in_threadpool(runtime.tokens.check, authorization, "ingest")
    if isinstance(verdict, Refusal):
        return Answer(verdict.status, {"error": verdict.message}, challenge=verdict.status == 401)
    return await ingest(runtime, await posted_body(request, runtime.settings.serve.events_max_body_bytes))


async def ingest(runtime: Runtime, body: bytes | None) -> Answer:
    """Check, journal and acknowledge one posted batch of an authenticated request (``body`` None: larger
    than the limit)."""
    serve = runtime.settings.serve
    if not runtime.ready.is_set():
        return _error(503, "the server is starting (replaying its journal); retry shortly", retry=True)
    if body is None:
        return _error(413, f"body larger than {serve.events_max_body_bytes} bytes")
    try:
        items = parse_json(body, finite=False)  # a non-finite number is refused per row, naming the field
    except NotJson:
        return _error(400, "body is not JSON")
    except JsonBodyError as exc:
        return _error(400, str(exc))
    if not isinstance(items, list):
        return _error(400, "body must be a JSON array of events")
    if len(items) > serve.events_max_rows:
        return _error(413, f"more than {serve.events_max_rows} events in one request")
    window = Window.around(datetime.now(UTC), serve.events_max_age_days, serve.events_max_ahead_hours)
    if len(items) > INLINE_MAX_ROWS:  # a large batch is checked off the event loop
        batch = await run_in_threadpool(_prepare, runtime, items, window)
    else:
        split = split_batch(items, runtime.settings.property_allowlist, window=window)
        if split.slow:  # rows the Python checks are unsure of: the contract's SQL decides, off the loop
            batch = split.finish(await run_in_threadpool(_sanitize_with_sql, runtime, split.slow, window))
        else:
            batch = split.finish(({}, {}))
    if batch.record is not None:
        try:
            await runtime.journal.commit(batch.record)
        except Exception as exc:
            log.error("journalling batch %s failed: %s", batch.record.batch_id, exc)
            return _error(500, "the batch could not be stored durably; retry later")
    return Answer(422 if batch.rejected and not batch.accepted else 200, _reply(batch))


async def posted_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None when it is larger than ``limit`` bytes (answered 413 by ``ingest``)."""
    try:
        return await read_body(request, limit)
    except BodyTooLarge:
        return None


EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            name: {} if name == "properties" else {"type": ["string", "null"]}
                            for name in EVENTS.column_names
                        },
                        "additionalProperties": False,
                    },
                }
            }
        },
    }
}
"""The body in the OpenAPI schema: an array of events_big rows (the route reads it itself, bounded)."""


def create_router(runtime: Runtime) -> APIRouter:
    """The events intake route."""
    router = APIRouter()

    @router.post(
        PATH,
        summary="Ingest a JSON array of events (events_big contract); needs an ingest or admin token",
        dependencies=[Depends(bearer)],
        openapi_extra=EVENTS_BODY,
    )
    async def ingest_events(request: Request) -> Response:
        try:
            answer = await receive(runtime, request)
        except ClientDisconnect:  # nobody to answer
            return Response(status_code=400)
        return JSONResponse(answer.payload, status_code=answer.status, headers=answer.headers())

    return router


def _prepare(runtime: Runtime, items: list[Any], window: Window) -> PreparedBatch:
    return prepare_batch(items, runtime.scratch(), runtime.settings.property_allowlist, window=window)


def _sanitize_with_sql(
    runtime: Runtime, rows: list[tuple[int, list[str | None]]], window: Window
) -> tuple[dict[int, list[str | None]], dict[int, str]]:
    return sanitize_with_sql(rows, runtime.scratch(), runtime.settings.property_allowlist, window)


def _reply(batch: PreparedBatch) -> dict[str, Any]:
    return {
        "batch_id": batch.record.batch_id if batch.record else None,
        "received": batch.received,
        "accepted": batch.accepted,
        "rejected": [{"index": r.index, "reason": r.reason} for r in batch.rejected],
    }


def _error(status: int, message: str, *, retry: bool = False) -> Answer:
    return Answer(status, {"error": message}, retry)
