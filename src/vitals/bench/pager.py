"""A local PagerDuty-compatible receiver (Events API v2 shape) for `vitals bench --incident`: it checks each
event as PagerDuty would, answers ``202`` like it, and records when each trigger and resolve arrived."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")


@dataclass(frozen=True)
class PagerEvent:
    """One accepted event: its arrival (wall clock, seconds), action, dedup key and summary."""

    at: float
    action: str
    dedup_key: str
    summary: str


def problems(body: Any) -> list[str]:
    """What PagerDuty would refuse in an Events API v2 body (empty: accepted)."""
    if not isinstance(body, dict):
        return ["Event object is invalid"]
    found: list[str] = []
    if len(str(body.get("routing_key", ""))) != 32:
        found.append("'routing_key' is invalid")
    action = body.get("event_action")
    if action not in ACTIONS:
        found.append("'event_action' is invalid")
    if action != "trigger" and not body.get("dedup_key"):
        found.append("'dedup_key' is missing")
    if action == "trigger":
        payload = body.get("payload")
        if not isinstance(payload, dict) or not payload.get("summary") or not payload.get("source"):
            found.append("'payload' needs a summary and a source")
        elif payload.get("severity") not in SEVERITIES:
            found.append("'payload.severity' is invalid")
    return found


@dataclass
class Pager:
    """The receiver's record; ``url`` is where to point the route (set once serving)."""

    url: str = ""
    events: list[PagerEvent] = field(default_factory=list)
    refused: list[list[str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, body: Any) -> tuple[int, dict[str, Any]]:
        wrong = problems(body)
        with self._lock:
            if wrong:
                self.refused.append(wrong)
                return 400, {"status": "invalid event", "message": "Event object is invalid", "errors": wrong}
            key = str(body.get("dedup_key") or "")
            summary = str((body.get("payload") or {}).get("summary", ""))
            self.events.append(PagerEvent(time.time(), str(body["event_action"]), key, summary))
        return 202, {"status": "success", "message": "Event processed", "dedup_key": key}

    def first(self, action: str, dedup_key: str, after: float = 0.0) -> PagerEvent | None:
        """The first ``action`` of ``dedup_key`` that arrived at or after ``after``."""
        with self._lock:
            return next(
                (e for e in self.events if e.action == action and e.dedup_key == dedup_key and e.at >= after), None
            )

    def count(self, action: str, dedup_key: str) -> int:
        with self._lock:
            return sum(1 for e in self.events if e.action == action and e.dedup_key == dedup_key)


@contextmanager
def serve_pager() -> Iterator[Pager]:
    """A receiver on a free loopback port; its ``url`` is the enqueue endpoint."""
    pager = Pager()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = None
            status, answer = pager.record(body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    pager.url = f"http://127.0.0.1:{server.server_address[1]}/v2/enqueue"
    thread = threading.Thread(target=server.serve_forever, name="bench-pager", daemon=True)
    thread.start()
    try:
        yield pager
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
