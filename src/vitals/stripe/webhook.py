"""``POST /webhooks/stripe``: verify, store durably, then acknowledge.

1. The body is read up to ``stripe.webhook_max_body_bytes`` (more: 413, nothing stored).
2. ``Stripe-Signature`` is verified by the ``stripe`` library against each configured secret (any one
   verifying is enough: secrets are rotated by listing the new one next to the old), with the
   configured tolerance on its timestamp, both ways: older or newer than now by more than it is
   refused. Failure: 400. No secret configured: 503 (Stripe retries).
3. The body must be a JSON Stripe event (else 400), nested no deeper than the parser follows and without
   lone surrogates (else 400: no table could store it).
4. The event is stored (``store.store_event``) in one transaction; only after the commit is 200 sent.
   A delivery already stored (same ``event.id``) is acknowledged again without storing anything.
   A storage failure answers 500, so Stripe retries.
5. Then, in the background, the stored objects are flattened (``flatten``), unless disabled.

Nothing about a request's body or secrets is logged: only event ids, types and outcomes.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

import stripe
from vitals.config import Settings
from vitals.stripe.flatten import flatten
from vitals.stripe.settings import StripeSettings, stripe_settings
from vitals.stripe.store import InvalidEvent, StoredEvent, ensure_tables, parse_event, store_event
from vitals.warehouse import open_warehouse
from vitals.webhook_support import BodyTooLarge, CoalescingRunner, client_gone, read_body

JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A Stripe event, signed in the Stripe-Signature header.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
"""The body in the OpenAPI schema (the route reads and verifies the raw bytes itself)."""
PATH = "/webhooks/stripe"
log = logging.getLogger("vitals.stripe.webhook")


def create_app(settings: Settings) -> FastAPI:
    """A small ASGI app serving ``POST /webhooks/stripe``."""
    app = FastAPI(title="vitals Stripe webhooks", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(create_router(settings))
    app.add_exception_handler(ClientDisconnect, client_gone)
    return app


def create_router(settings: Settings) -> APIRouter:
    """The webhook route, to mount in another FastAPI app."""
    config = stripe_settings(settings)
    receiver = _Receiver(settings, config)
    router = APIRouter()

    @router.post(
        PATH,
        summary="Receive a signed Stripe webhook event",
        include_in_schema=True,
        openapi_extra=JSON_BODY,
    )
    async def stripe_webhook(request: Request) -> JSONResponse:
        return await receiver.handle(request)

    return router


class _Receiver:
    """The request handling, with its warehouse bookkeeping."""

    def __init__(self, settings: Settings, config: StripeSettings) -> None:
        self.settings = settings
        self.config = config
        self._tables_ready = False
        self._flattener = CoalescingRunner(self._flatten, log, "flattening Stripe objects")

    async def handle(self, request: Request) -> JSONResponse:
        secrets = self.config.secret_values()
        if not secrets:
            return _error(503, "Stripe webhook secrets are not configured (VITALS_STRIPE_WEBHOOK_SECRETS)")
        try:
            body = await read_body(request, self.config.webhook_max_body_bytes)
        except BodyTooLarge:
            return _error(413, f"body larger than {self.config.webhook_max_body_bytes} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "body is not UTF-8")
        if not _verified(text, request.headers.get("stripe-signature"), secrets, self.config.webhook_tolerance_seconds):
            return _error(400, "signature verification failed")
        try:
            event = parse_event(text)
        except json.JSONDecodeError:
            return _error(400, "body is not JSON")
        except InvalidEvent as exc:
            return _error(400, str(exc))
        try:
            stored = await run_in_threadpool(self._store, text, event)
        except Exception as exc:  # the delivery must not be acknowledged: Stripe will retry it
            log.error("storing Stripe event %s failed: %s", event.get("id"), type(exc).__name__)
            return _error(500, "the event could not be stored; retry later")
        log.info(
            "Stripe event %s (%s) %s", stored.event_id, stored.event_type, "duplicate" if stored.duplicate else "stored"
        )
        background = None
        if self.config.flatten_on_webhook and not stored.duplicate:
            background = BackgroundTask(self.flatten_soon)
        content = {"received": True, "event_id": stored.event_id, "duplicate": stored.duplicate}
        return JSONResponse(content, status_code=200, background=background)

    def _store(self, text: str, event: dict[str, Any]) -> StoredEvent:
        with open_warehouse(self.settings) as warehouse:
            if not self._tables_ready:
                ensure_tables(warehouse)
                self._tables_ready = True
            return store_event(warehouse, text, event)

    def flatten_soon(self) -> None:
        """Flatten now, or, when a flatten is running, make it run once more (deliveries coalesce)."""
        self._flattener.run_soon()

    def _flatten(self) -> None:
        with open_warehouse(self.settings) as warehouse:
            flatten(warehouse, self.config)


def _verified(text: str, header: str | None, secrets: list[str], tolerance: int) -> bool:
    """Whether the ``stripe`` library verifies the signature with any of the secrets, and its timestamp is
    not ahead of now by more than the tolerance (the library only refuses old ones: a signature made for
    the future would stay replayable until long after it was captured)."""
    if tolerance and _signed_at(header) > time.time() + tolerance:  # 0 turns the age check off, both ways
        return False
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(text, header, secret, tolerance)
        except stripe.SignatureVerificationError:
            continue
        return True
    return False


def _signed_at(header: str | None) -> int:
    """The ``t=`` timestamp of a ``Stripe-Signature`` header (0 when there is none to read: the library
    then refuses the header itself)."""
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.strip().isdigit():
            return int(value.strip()[:12])
    return 0


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
