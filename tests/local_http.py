"""A JSON-over-HTTP server on 127.0.0.1 for the fakes of Stripe's, Sentry's and HubSpot's APIs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Get:
    """A request as the fakes see it (a GET, or a POST with its JSON body)."""

    url: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    method: str = "GET"
    body: Any = None
    """A POST's body, decoded from JSON (None when empty)."""


@dataclass(frozen=True)
class Answer:
    """A JSON answer with its status and extra headers."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


@contextmanager
def serve_json(respond: Callable[[Get], Answer]) -> Iterator[str]:
    """Answer GETs and POSTs with ``respond`` on a free port, in a thread; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer("GET", None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            self._answer("POST", json.loads(data) if data else None)

        def _answer(self, method: str, body: Any) -> None:
            url = urlsplit(self.path)
            request = Get(
                f"http://{self.headers.get('Host')}{self.path}",
                url.path,
                parse_qs(url.query),
                self.headers.get("Authorization"),
                method,
                body,
            )
            answer = respond(request)
            data = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
