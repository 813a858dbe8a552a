"""Asking a running `vitals serve` to do work that needs the warehouse it owns.

A server writes its address to ``<state_dir>/serve.json``; `vitals build` and `vitals load` on a
DuckDB warehouse find it there and, when the server answers, send the work to its admin endpoints
with ``serve.admin_secret`` instead of failing on the locked file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.server.admin import BUILD_PATH, LOAD_PATH
from vitals.server.runtime import discovery_path


class ServerError(VitalsError):
    """The running server refused or failed the work; the message says why."""


@dataclass(frozen=True)
class ServerClient:
    """A running server's admin endpoints."""

    url: str
    secret: str

    def build(self, *, full_refresh: bool, as_of: datetime | None, select: str | None) -> dict[str, Any]:
        """Run a build in the server; ``ServerError`` when it fails."""
        body = {"full_refresh": full_refresh, "as_of": as_of.isoformat() if as_of else None, "select": select}
        reply = self._post(BUILD_PATH, body)
        if not reply.get("success"):
            raise ServerError(f"the server's build failed: {reply.get('error')}")
        return reply

    def load(self, directory: Path) -> dict[str, Any]:
        """Load a directory in the server."""
        return self._post(LOAD_PATH, {"directory": str(directory.resolve())})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if not self.secret:
            raise ServerError(
                f"the warehouse is owned by `vitals serve` at {self.url}; set serve.admin_secret "
                "(VITALS_SERVE__ADMIN_SECRET) for both to let this command ask it"
            )
        try:
            response = httpx.post(
                self.url + path, json=body, headers={"Authorization": f"Bearer {self.secret}"}, timeout=None
            )
        except httpx.HTTPError as exc:
            raise ServerError(f"the server at {self.url} did not answer: {exc}") from exc
        try:
            reply: dict[str, Any] = response.json()
        except ValueError:
            reply = {}
        if response.status_code != 200:
            detail = reply.get("detail") or reply.get("error") or response.text[:200]
            raise ServerError(f"the server at {self.url} answered {response.status_code}: {detail}")
        return reply


def owning_server(settings: Settings) -> ServerClient | None:
    """The running server that owns this DuckDB warehouse, if one answers (None on other engines)."""
    if settings.engine != "duckdb":
        return None
    try:
        found = json.loads(discovery_path(settings).read_text())
        url = str(found["url"]).rstrip("/")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        if httpx.get(url + "/healthz", timeout=2.0).status_code != 200:
            return None
    except httpx.HTTPError:
        return None
    return ServerClient(url, settings.serve.admin_token())
