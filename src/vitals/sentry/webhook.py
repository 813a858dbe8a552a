"""``POST /webhooks/sentry``: verify, store durably, then acknowledge.

1. The body is read up to ``sentry.webhook_max_body_bytes`` (more: 413, nothing stored).
2. ``Sentry-Hook-Signature`` must be the hex HMAC-SHA256 of the raw body keyed with one of the configured
   client secrets (compared in constant time; several secrets while one is rotated). Missing or wrong:
   401. No secret configured: 503.
3. ``Sentry-Hook-Resource`` must be present (else 400). The body must be JSON (else 400), nested no deeper
   than the parser follows and without lone surrogates (else 400: no table could store it).
4. ``error.created``, ``event_alert.triggered`` and every ``issue.*`` are stored (``store.store_delivery``)
   in one transaction; only after the commit is 200 sent. A delivery already stored (same event id and
   action; for issues the same issue state and action) is acknowledged again without storing anything.
   Other resources and actions (installation, comment, metric_alert, ...) are acknowledged and ignored.
   A payload whose shape does not match its resource: 400. A storage failure: 500.
5. Then, in the background, the stored errors are flattened into ``sentry_errors_big``, unless disabled.

Nothing about a request's body or secrets is logged: only resources, actions, event ids and outcomes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from vitals.config import Settings
from vitals.json_body import value_problem
from vitals.sentry.flatten import flatten
from vitals.sentry.payloads import Delivery, InvalidPayload, accepts, parse_delivery
from vitals.sentry.settings import SentrySettings, sentry_settings
from vitals.sentry.store import StoredDelivery, ensure_tables, store_delivery
from vitals.warehouse import open_warehouse
from vitals.webhook_support import BodyTooLarge, CoalescingRunner, client_gone, read_body

JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A Sentry integration webhook payload, signed in the Sentry-Hook-Signature header.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
"""The body in the OpenAPI schema (the route reads and verifies the raw bytes itself)."""
PATH = "/webhooks/sentry"
log = logging.getLogger("vitals.sentry.webhook")


def create_app(settings: Settings) -> FastAPI:
    """A small ASGI app serving ``POST /webhooks/sentry``."""
    app = FastAPI(title="vitals Sentry webhooks", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(create_router(settings))
    app.add_exception_handler(ClientDisconnect, client_gone)
    return app


def create_router(settings: Settings) -> APIRouter:
    """The webhook route, to mount in another FastAPI app."""
    receiver = _Receiver(settings, sentry_settings(settings))
    router = APIRouter()

    @router.post(
        PATH,
        summary="Receive a signed Sentry integration webhook",
        include_in_schema=True,
        openapi_extra=JSON_BODY,
    )
    async def sentry_webhook(request: Request) -> JSONResponse:
        return await receiver.handle(request)

    return router


def signature(body: bytes, secret: str) -> str:
    """The ``Sentry-Hook-Signature`` Sentry sends for ``body``: hex HMAC-SHA256 keyed with the client secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verified(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Whether ``header`` is the signature of ``body`` with any of ``secrets`` (constant-time compare)."""
    if not header:
        return False
    given = header.strip().lower().encode("ascii", "replace")
    matched = False
    for secret in secrets:  # every secret is tried, so the time does not tell which one matched
        matched |= hmac.compare_digest(given, signature(body, secret).encode("ascii"))
    return matched


class _Receiver:
    """The request handling, with its warehouse bookkeeping."""

    def __init__(self, settings: Settings, config: SentrySettings) -> None:
        self.settings = settings
        self.config = config
        self._tables_ready = False
        self._flattener = CoalescingRunner(self._flatten, log, "flattening Sentry deliveries")

    async def handle(self, request: Request) -> JSONResponse:
        secrets = self.config.secret_values()
        if not secrets:
            return _error(503, "Sentry client secrets are not configured (VITALS_SENTRY_CLIENT_SECRET)")
        try:
            body = await read_body(request, self.config.webhook_max_body_bytes)
        except BodyTooLarge:
            return _error(413, f"body larger than {self.config.webhook_max_body_bytes} bytes")
        if not verified(body, request.headers.get("sentry-hook-signature"), secrets):
            return _error(401, "signature verification failed")
        resource = (request.headers.get("sentry-hook-resource") or "").strip()
        if not resource:
            return _error(400, "the Sentry-Hook-Resource header is missing")
        try:
            text = body.decode("utf-8")
            payload = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error(400, "body is not UTF-8 JSON")
        except RecursionError:
            return _error(400, "the JSON is nested too deeply")
        problem = value_problem(payload)
        if problem is not None:
            return _error(400, problem)
        action = payload.get("action") if isinstance(payload, dict) else None
        if not isinstance(action, str) or not accepts(resource, action):
            log.info("Sentry %s.%s ignored", resource, action)
            return JSONResponse({"received": True, "stored": False, "ignored": f"{resource}.{action}"})
        try:
            delivery = parse_delivery(resource, payload)
        except InvalidPayload as exc:
            return _error(400, str(exc))
        try:
            stored = await run_in_threadpool(
                self._store,
                text,
                delivery,
                request.headers.get("request-id"),
                request.headers.get("sentry-hook-timestamp"),
            )
        except Exception as exc:  # the delivery must not be acknowledged
            log.error("storing Sentry %s.%s %s failed: %s", resource, action, delivery.key, type(exc).__name__)
            return _error(500, "the delivery could not be stored; retry later")
        log.info("Sentry %s.%s %s %s", resource, action, delivery.key, "duplicate" if stored.duplicate else "stored")
        background = None
        if self.config.flatten_on_webhook and not stored.duplicate and delivery.event_id is not None:
            background = BackgroundTask(self.flatten_soon)
        content = {
            "received": True,
            "stored": not stored.duplicate,
            "event_id": stored.event_id,
            "duplicate": stored.duplicate,
        }
        return JSONResponse(content, status_code=200, background=background)

    def _store(
        self, text: str, delivery: Delivery, request_id: str | None, hook_timestamp: str | None
    ) -> StoredDelivery:
        with open_warehouse(self.settings) as warehouse:
            if not self._tables_ready:
                ensure_tables(warehouse)
                self._tables_ready = True
            return store_delivery(warehouse, text, delivery, request_id, hook_timestamp)

    def flatten_soon(self) -> None:
        """Flatten now, or, when a flatten is running, make it run once more (deliveries coalesce)."""
        self._flattener.run_soon()

    def _flatten(self) -> None:
        with open_warehouse(self.settings) as warehouse:
            flatten(warehouse, self.config)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def app_from_env() -> FastAPI:
    """The webhook app for the configured settings (``uvicorn --factory vitals.sentry.webhook:app_from_env``)."""
    from vitals.config import load_settings

    return create_app(load_settings())
