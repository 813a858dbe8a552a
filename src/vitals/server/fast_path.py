"""The service's app answers ``POST /ingest/events`` before the framework does.

A one-event request spends most of its time in the framework around the route (middleware, dependency
resolution, matching against every API route). ``ServiceApp`` calls the same ``ingest_route.receive``
(token, then the body read straight from ASGI messages), and hands every other request to FastAPI untouched.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive, Scope, Send

from vitals.server import ingest_route
from vitals.server.runtime import Runtime
from vitals.webhook_support import client_gone

_JSON = [(b"content-type", b"application/json")]


class ServiceApp(FastAPI):
    """FastAPI, but ``POST /ingest/events`` goes straight to ``ingest_route.receive`` (the route stays in
    the OpenAPI schema, and answers the same for an app that mounts the router without this class)."""

    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.add_exception_handler(ClientDisconnect, client_gone)  # a client leaving mid-body: no traceback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != ingest_route.PATH or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        try:
            answer = await ingest_route.receive(self.runtime, Request(scope, receive))
        except ClientDisconnect:  # nobody to answer
            return
        content = answer.body()
        headers = [*_JSON, (b"content-length", str(len(content)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in answer.headers().items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
