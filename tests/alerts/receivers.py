"""Local HTTP receivers that speak the real formats: a Slack incoming webhook, the PagerDuty Events API v2
and a signed generic webhook. Each records what it got and can be scripted to answer 429 / 5xx / 4xx first."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PD_SEVERITIES = {"critical", "error", "warning", "info"}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted reply, then with its own validation of the format."""

    kind: str  # slack | pagerduty | webhook
    secret: str = ""
    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def bodies(self) -> list[Any]:
        return [r.json() for r in self.requests]

    def answer(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)
        if self.kind == "slack":
            return self._slack(request)
        if self.kind == "pagerduty":
            return self._pagerduty(request)
        return self._webhook(request)

    @staticmethod
    def _slack(request: Received) -> tuple[int, dict[str, str], bytes]:
        # Slack answers 200 "ok", or 400 "invalid_payload" / "no_text" in plain text
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return 400, {}, b"invalid_payload"
        try:
            body = request.json()
        except ValueError:
            return 400, {}, b"invalid_payload"
        if not isinstance(body.get("text"), str) or not body["text"]:
            return 400, {}, b"no_text"
        if "blocks" in body and not (isinstance(body["blocks"], list) and all("type" in b for b in body["blocks"])):
            return 400, {}, b"invalid_blocks"
        return 200, {"Content-Type": "text/plain"}, b"ok"

    @staticmethod
    def _pagerduty(request: Received) -> tuple[int, dict[str, str], bytes]:
        errors: list[str] = []
        try:
            body = request.json()
        except ValueError:
            body = {}
            errors.append("Event object is invalid")
        if len(str(body.get("routing_key", ""))) != 32:
            errors.append("'routing_key' is invalid")
        action = body.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid")
        if action in ("acknowledge", "resolve") and not body.get("dedup_key"):
            errors.append("'dedup_key' is missing")
        if action == "trigger":
            payload = body.get("payload") or {}
            for key in ("summary", "source", "severity"):
                if not payload.get(key):
                    errors.append(f"'payload.{key}' is missing")
            if payload.get("severity") and payload["severity"] not in PD_SEVERITIES:
                errors.append("'payload.severity' is invalid")
            if len(str(payload.get("summary", ""))) > 1024:
                errors.append("'payload.summary' is too long")
        if errors:
            reply = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
            return 400, {"Content-Type": "application/json"}, json.dumps(reply).encode()
        reply = {"status": "success", "message": "Event processed", "dedup_key": body.get("dedup_key")}
        return 202, {"Content-Type": "application/json"}, json.dumps(reply).encode()

    def _webhook(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        header = request.headers.get("x-vitals-signature", "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        expected = hmac.new(
            self.secret.encode(), parts.get("t", "").encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            return 401, {}, b"bad signature"
        return 204, {}, b""


@contextmanager
def serve(receiver: Receiver) -> Iterator[Receiver]:
    """Run ``receiver`` on a free local port for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            code, reply_headers, reply = receiver.answer(Received(self.path, headers, body))
            self.send_response(code)
            for key, value in reply_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
