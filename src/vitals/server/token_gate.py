"""API tokens for the service's own routes: ``POST /ingest/events`` (feature ``ingest``) and
``GET /api/v1/status`` (feature ``operations``).

The same tokens as the HTTP API (``vitals tokens create``, ``api.tokens``), checked against the same role
table (``api.scope.ROLE_FEATURES``). A token found valid is remembered for ``CACHE_SECONDS``, so the
events intake does not query the warehouse on every request; a revoked token therefore stops working
within that time. Unknown tokens are never remembered (a token made a moment ago works at once).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from vitals.api.scope import ROLE_FEATURES, Feature
from vitals.api.tokens import TokenRecord, TokenStore, hash_token
from vitals.config import Settings

CACHE_SECONDS = 10.0
"""How long a verified token is taken as valid without asking the warehouse again."""


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: 401 (no, unknown or revoked token) or 403 (the role may not)."""

    status: int
    message: str


class TokenGate:
    """Verifies ``Authorization: Bearer <token>`` headers for one feature at a time."""

    def __init__(self, settings: Settings, cache_seconds: float = CACHE_SECONDS) -> None:
        self.settings = settings
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[TokenRecord, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def secret_of(authorization: str | None) -> str | None:
        """The token of a ``Bearer`` header, or None."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None

    def cached(self, authorization: str | None, feature: Feature) -> TokenRecord | Refusal | None:
        """The answer without asking the warehouse, or None when it must be asked (``check``)."""
        secret = self.secret_of(authorization)
        if secret is None:
            return _missing(feature)
        with self._lock:
            found = self._cache.get(hash_token(secret))
        if found is None or found[1] < time.monotonic():
            return None
        return _allowed(found[0], feature)

    def check(self, authorization: str | None, feature: Feature) -> TokenRecord | Refusal:
        """The token when its role includes ``feature``, else why not (reads the warehouse on a cache miss)."""
        early = self.cached(authorization, feature)
        if early is not None:
            return early
        secret = self.secret_of(authorization)
        assert secret is not None
        token = self._verify(secret)
        if token is None:
            return Refusal(401, "invalid or revoked API token")
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[hash_token(secret)] = (token, time.monotonic() + self.cache_seconds)
        return _allowed(token, feature)

    def _verify(self, secret: str) -> TokenRecord | None:
        from vitals.warehouse import open_warehouse

        with open_warehouse(self.settings) as warehouse:
            return TokenStore(warehouse).verify(secret)


WHO = {
    "ingest": "an ingest or admin token (`vitals tokens create --role ingest`)",
    "operations": "an admin or analyst token",
}


def _missing(feature: Feature) -> Refusal:
    need = WHO.get(feature, "an API token")
    return Refusal(401, f"missing API token: send 'Authorization: Bearer <token>' with {need}")


def _allowed(token: TokenRecord, feature: Feature) -> TokenRecord | Refusal:
    if feature in ROLE_FEATURES.get(token.role, frozenset()):
        return token
    need = WHO.get(feature, f"a token whose role includes {feature}")
    return Refusal(403, f"a {token.role} token may not use {feature.replace('_', ' ')}: this needs {need}")
