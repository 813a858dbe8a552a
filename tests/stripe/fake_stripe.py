"""A local HTTP server speaking Stripe's list protocol, for backfill tests.

GET /v1/<resource> answers ``{"object": "list", "data": [...], "has_more": ..., "url": ...}`` newest
first, honouring ``limit``, ``starting_after``, ``created[gte]``, ``status`` (subscriptions: canceled
ones only with ``status=all``) and ``expand[]`` / ``expand[N]`` (``data.product`` on prices);
GET /v1/invoices/<id>/lines pages an invoice's lines. Requests need ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tests.local_http import Answer, Get, serve_json

Obj = dict[str, Any]


class FakeStripe:
    """The account's objects, by list resource name (``customers``, ``invoices``, ...)."""

    def __init__(
        self,
        api_key: str,
        resources: Mapping[str, list[Obj]],
        invoice_lines: Mapping[str, list[Obj]] | None = None,
        products: Mapping[str, Obj] | None = None,
    ) -> None:
        self.api_key = api_key
        self.resources = {k: list(v) for k, v in resources.items()}
        self.invoice_lines = dict(invoice_lines or {})
        self.products = dict(products or {})
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

    def respond(self, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, Obj]:
        self.requests.append((path, query))
        if auth != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["v1", "invoices"] and parts[3] == "lines":
            return 200, self._page(self.invoice_lines.get(parts[2], []), query, path, newest_first=False)
        if len(parts) != 2 or parts[1] not in self.resources:
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}
        items = self.resources[parts[1]]
        if "created[gte]" in query:
            bound = int(query["created[gte]"][0])
            items = [i for i in items if i["created"] >= bound]
        if parts[1] == "subscriptions" and query.get("status", [""])[0] != "all":
            items = [i for i in items if i["status"] != "canceled"]
        expand = [v for k, vs in query.items() if k == "expand[]" or k.startswith("expand[") for v in vs]
        if "data.product" in expand:
            items = [{**i, "product": self.products.get(i["product"], i["product"])} for i in items]
        return 200, self._page(items, query, path, newest_first=True)

    @staticmethod
    def _page(items: list[Obj], query: dict[str, list[str]], path: str, newest_first: bool) -> Obj:
        if newest_first:
            items = sorted(items, key=lambda i: (i["created"], i["id"]), reverse=True)
        limit = int(query.get("limit", ["10"])[0])
        start = 0
        if "starting_after" in query:
            ids = [i["id"] for i in items]
            start = ids.index(query["starting_after"][0]) + 1
        page = items[start : start + limit]
        return {"object": "list", "data": page, "has_more": start + limit < len(items), "url": path}


@contextmanager
def serve(fake: FakeStripe) -> Iterator[str]:
    """Run the fake on 127.0.0.1 (a free port) in a thread; yields its base URL."""

    def respond(request: Get) -> Answer:
        status, body = fake.respond(request.path, request.query, request.authorization)
        return Answer(status, body, {"Request-Id": "req_fake"})

    with serve_json(respond) as url:
        yield url
