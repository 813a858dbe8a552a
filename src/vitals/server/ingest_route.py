"""``POST /ingest/events``: a JSON array of events in the ``events_big`` contract.

Answers, once the accepted rows are durably journalled (see ``journal``):

- 200 ``{"batch_id", "received", "accepted", "rejected": [{"index", "reason"}]}`` when at least one row
  was accepted, or the array was empty (``batch_id`` null);
- 422, same shape, when every row was rejected (nothing is stored);
- 400 when the body is not a JSON array, 413 above ``serve.events_max_body_bytes`` or
  ``serve.events_max_rows`` rows, 503 until the server is ready, 500 when the journal write failed
  (nothing acknowledged: the client should retry).

The acknowledged rows reach ``raw.events_big`` shortly after, applied by the writer.
"""

from __future__ import annotations

import asyncio
import json
import logging
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


def create_router(runtime: Runtime) -> APIRouter:
    """The events intake route."""
    router = APIRouter()
    serve = runtime.settings.serve
    allowlist = runtime.settings.property_allowlist

    @router.post(PATH, summary="Ingest a JSON array of events (events_big contract)")
    async def ingest_events(request: Request) -> JSONResponse:
        if not runtime.ready.is_set():
            return _error(503, "the server is starting (replaying its journal); retry shortly", retry=True)
        try:
            body = await read_body(request, serve.events_max_body_bytes)
        except BodyTooLarge:
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
            split = split_batch(items, allowlist)
            if split.slow:  # rows the Python checks are unsure of: the contract's SQL decides, off the loop
                batch = split.finish(await run_in_threadpool(_sanitize_with_sql, runtime, split.slow))
            else:
                batch = split.finish(({}, {}))
        if batch.record is not None:
            try:
                await asyncio.wrap_future(runtime.journal.submit(batch.record))
            except Exception as exc:
                log.error("journalling batch %s failed: %s", batch.record.batch_id, exc)
                return _error(500, "the batch could not be stored durably; retry later")
        return JSONResponse(_reply(batch), status_code=422 if batch.rejected and not batch.accepted else 200)

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


def _error(status: int, message: str, *, retry: bool = False) -> JSONResponse:
    headers = {"Retry-After": "1"} if retry else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)
