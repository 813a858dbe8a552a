"""The app factory of `vitals serve`: the service's own routes plus the receivers it is given.

``create_app(settings)`` mounts ``wiring.default_routers(settings)`` (the Stripe and Sentry receivers) and
fills the scheduler's alerts and digest hooks; pass ``routers=`` to mount others. The lifespan starts the
``Runtime`` (warehouse, journal replay, applier, scheduler) and stops it on shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from vitals.config import Settings
from vitals.server import admin, ingest_route, status
from vitals.server.fast_path import ServiceApp
from vitals.server.runtime import Runtime
from vitals.server.wiring import default_routers, register_default_hooks


def create_app(
    settings: Settings,
    routers: Sequence[APIRouter] | None = None,
    *,
    url: str | None = None,
    runtime: Runtime | None = None,
) -> FastAPI:
    """The ASGI app. ``url`` is the address the server advertises to other `vitals` processes."""
    service = runtime or Runtime(settings, url=url)
    register_default_hooks()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = ServiceApp(service, title="vitals", lifespan=lifespan)
    app.state.runtime = service
    app.include_router(status.create_router(service))
    app.include_router(ingest_route.create_router(service))
    app.include_router(admin.create_router(service))
    for router in default_routers(settings) if routers is None else routers:
        app.include_router(router)
    return app
