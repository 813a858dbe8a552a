"""A local HTTP server speaking Sentry's REST list protocol, for backfill tests.

GET /api/0/projects/<org>/<project>/events/ answers a JSON list of events, newest first, ``page_size`` a
page, with Sentry's ``Link`` header: ``<url>; rel="previous"; results="..."; cursor="...", <url>;
rel="next"; results="true|false"; cursor="0:<offset>:0"``. ``start``/``end`` filter on ``dateCreated``.
Requests need ``Authorization: Bearer <token>``; every request is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from tests.local_http import Answer, Get, serve_json

Obj = dict[str, Any]


class FakeSentry:
    """One project's events, served in pages."""

    def __init__(self, token: str, org: str, project: str, events: list[Obj], page_size: int = 2) -> None:
        self.token = token
        self.path = f"/api/0/projects/{org}/{project}/events/"
        self.events = list(events)
        self.page_size = page_size
        self.requests: list[dict[str, list[str]]] = []
        self.fail_next: list[int] = []
        """Statuses to answer the next requests with (a 429 or 5xx the client should retry)."""

    def respond(self, url: str, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, Any, str]:
        self.requests.append(query)
        if self.fail_next:
            return self.fail_next.pop(0), {"detail": "try again"}, ""
        if auth != f"Bearer {self.token}":
            return 401, {"detail": "Invalid token"}, ""
        if path != self.path:
            return 404, {"detail": "The requested resource does not exist"}, ""
        items = sorted(self.events, key=lambda e: e["dateCreated"], reverse=True)
        if "start" in query:
            start = _moment(query["start"][0])
            end = _moment(query["end"][0])
            items = [e for e in items if start <= _moment(e["dateCreated"]) <= end]
        offset = int(query.get("cursor", ["0:0:0"])[0].split(":")[1])
        page = items[offset : offset + self.page_size]
        base = url.split("?")[0]
        prev = max(offset - self.page_size, 0)
        following = offset + self.page_size
        link = (
            f'<{base}?&cursor=0:{prev}:1>; rel="previous"; results="{"true" if offset else "false"}"; '
            f'cursor="0:{prev}:1", '
            f'<{base}?&cursor=0:{following}:0>; rel="next"; results="{"true" if following < len(items) else "false"}"; '
            f'cursor="0:{following}:0"'
        )
        return 200, page, link


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


@contextmanager
def serve(fake: FakeSentry) -> Iterator[str]:
    """Run the fake on 127.0.0.1 (a free port) in a thread; yields its base URL."""

    def respond(request: Get) -> Answer:
        status, body, link = fake.respond(request.url, request.path, request.query, request.authorization)
        headers = {"Link": link} if link else {}
        if status == 429:
            headers["Retry-After"] = "0"
        return Answer(status, body, headers)

    with serve_json(respond) as url:
        yield url
