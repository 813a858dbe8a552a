"""The API router (``/api/v1``) the server mounts, and a standalone app serving it with its OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import ClientDisconnect

from vitals.api.auth import ApiContext, WarehouseFactory, bind_context
from vitals.api.models import Error
from vitals.api.route_class import ApiRoute
from vitals.api.routes import (
    alerts,
    audit,
    campaigns,
    catalog,
    cohorts,
    config,
    deals,
    exports,
    orgs,
    series,
    summary,
    tokens,
)
from vitals.config import Settings
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse
from vitals.webhook_support import client_gone

PREFIX = "/api/v1"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "Bad input: the message names the parameter."},
    401: {"model": Error, "description": "No token, or an unknown or revoked one."},
    403: {"model": Error, "description": "The token's role or org does not reach this."},
    404: {"model": Error, "description": "No such metric, org or mart."},
    413: {"model": Error, "description": "The request body is too large."},
    503: {"model": Error, "description": "The warehouse is not built yet or is busy."},
}


def create_api_router(settings: Settings, connect: WarehouseFactory | None = None) -> APIRouter:
    """Every API route under ``/api/v1``. ``connect`` opens a warehouse connection per request (default:
    ``open_warehouse(settings)``; a server that owns the DuckDB database passes its own)."""

    def default_connect() -> Warehouse:
        return open_warehouse(settings)

    bind = bind_context(ApiContext(settings, connect or default_connect))
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(bind)], responses=ERRORS, route_class=ApiRoute)
    for module in (catalog, series, summary, orgs, cohorts, alerts, campaigns, deals, exports, config, audit, tokens):
        router.include_router(module.router)
    return router


def create_app(settings: Settings, connect: WarehouseFactory | None = None) -> FastAPI:
    """A FastAPI app with the API router, OpenAPI at ``/openapi.json`` and its docs at ``/docs``."""
    app = FastAPI(
        title="vitals API",
        version="1",
        description="Customer metrics: catalog, series, summary, orgs, cohorts, alerts, exports, config and audit. "
        "Authenticate with `Authorization: Bearer <token>` (see `vitals tokens create`).",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.include_router(create_api_router(settings, connect))
    app.add_exception_handler(ClientDisconnect, client_gone)
    return app
