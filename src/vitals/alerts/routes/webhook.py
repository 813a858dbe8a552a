"""A generic webhook: the notification as JSON, signed ``X-Vitals-Signature: t=<unix>,v1=<hex>`` where
``v1`` is HMAC-SHA256 of ``"<t>.<body>"`` with the shared secret (verify with ``verify_signature``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from vitals.alerts.delivery import Attempt, http_attempt
from vitals.alerts.settings import WebhookRoute

SIGNATURE_HEADER = "X-Vitals-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is no older than ``tolerance`` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if tolerance and abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), f"t={timestamp},v1={parts.get('v1', '')}")


class SignedWebhook:
    """POST the notification, signed, to a URL."""

    def __init__(self, name: str, config: WebhookRoute, client: httpx.Client) -> None:
        self.name = name
        self.url = config.url
        self.secret = config.secret.get_secret_value()
        self.client = client

    def send(self, message: dict[str, Any]) -> Attempt:
        body = json.dumps(message, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body, int(time.time()))}
        return http_attempt(self.client, self.url, content=body, headers=headers)
