"""``POST /ingest/events``: a JSON array of events in the ``events_big`` contract.

Answers, once the accepted rows are durably journalled (see ``journal``):

- 200 ``{"batch_id", "received", "accepted", "rejected": [{"index", "reason"}]}`` when at least one row
  was accepted, or the array was empty (``batch_id`` null);
- 422, same shape, when every row was rejected (nothing is stored);
- 400 when the body is not a JSON array, 413 above ``serve.events_max_body_bytes`` or
  ``serve.events_max_rows`` rows, 503 until the server is ready, 500 when the journal write failed
  (nothing acknowledged: the client should retry).

The acknowledged rows reach ``raw.events_big`` shortly after, applied by the writer.

``ingest`` is the one implementation. The FastAPI route (documented in the OpenAPI schema) calls it, and
so does ``fast_path.ServiceApp``, which answers this path before the framework's middleware and
routing, the larger part of a one-event request's cost.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vitals.server.events import PreparedBatch, prepare_batch, sanitize_with_sql, split_batch
from vitals.server.runtime import Runtime
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

    def body(self) -> bytes:
        """The payload as compact JSON."""
        return json.dumps(self.payload, separators=(",", ":")).encode()


async def ingest(runtime: Runtime, body: bytes | None) -> Answer:
    """Check, journal and acknowledge one posted batch (``body`` None: larger than the limit)."""
    serve = runtime.settings.serve
    if not runtime.ready.is_set():
        return _error(503, "the server is starting (replaying its journal); retry shortly", retry=True)
    if body is None:
        return _error(413, f"body larger than {serve.events_max_body_bytes} bytes")
    try:
        items = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "body is not JSON")
    if not isinstance(items, list):
        return _error(400, "body must be a JSON array of events")
    if len(items) > serve.events_max_rows:
        return _error(413, f"more than {serve.events_max_rows} events in one request")
    if len(items) > INLINE_MAX_ROWS:  # a large batch is checked off the event loop
        batch = await run_in_threadpool(_prepare, runtime, items)
    else:
        split = split_batch(items, runtime.settings.property_allowlist)
        if split.slow:  # rows the Python checks are unsure of: the contract's SQL decides, off the loop
            batch = split.finish(await run_in_threadpool(_sanitize_with_sql, runtime, split.slow))
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


def create_router(runtime: Runtime) -> APIRouter:
    """The events intake route."""
    router = APIRouter()
    limit = runtime.settings.serve.events_max_body_bytes

    @router.post(PATH, summary="Ingest a JSON array of events (events_big contract)")
    async def ingest_events(request: Request) -> JSONResponse:
        answer = await ingest(runtime, await posted_body(request, limit))
        headers = {"Retry-After": "1"} if answer.retry else None
        return JSONResponse(answer.payload, status_code=answer.status, headers=headers)

    return router


def _prepare(runtime: Runtime, items: list[Any]) -> PreparedBatch:
    return prepare_batch(items, runtime.scratch(), runtime.settings.property_allowlist)


def _sanitize_with_sql(
    runtime: Runtime, rows: list[tuple[int, list[str | None]]]
) -> tuple[dict[int, list[str | None]], dict[int, str]]:
    return sanitize_with_sql(rows, runtime.scratch(), runtime.settings.property_allowlist)


def _reply(batch: PreparedBatch) -> dict[str, Any]:
    return {
        "batch_id": batch.record.batch_id if batch.record else None,
        "received": batch.received,
        "accepted": batch.accepted,
        "rejected": [{"index": r.index, "reason": r.reason} for r in batch.rejected],
    }


def _error(status: int, message: str, *, retry: bool = False) -> Answer:
    return Answer(status, {"error": message}, retry)
