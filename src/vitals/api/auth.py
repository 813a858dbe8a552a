"""Bearer-token authentication and the per-request dependencies every router shares.

``Authorization: Bearer vt_...``: a missing, unknown or revoked token gets 401; the token's ``Scope``
then decides 403 for what it may not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vitals.api.audit import AuditLog
from vitals.api.scope import Scope
from vitals.api.tokens import TokenRecord, TokenStore
from vitals.config import Settings
from vitals.warehouse.base import Warehouse

WarehouseFactory = Callable[[], Warehouse]

bearer = HTTPBearer(auto_error=False, description="An API token made by `vitals tokens create` (vt_...).")


@dataclass(frozen=True)
class ApiContext:
    """What the routers need: the settings and how to open a warehouse connection."""

    settings: Settings
    connect: WarehouseFactory


CONTEXT_KEY = "vitals_api"


def bind_context(ctx: ApiContext) -> Callable[[Request], None]:
    """A router-level dependency that puts ``ctx`` on each request (it runs before the route's own)."""

    def bind(request: Request) -> None:
        request.scope[CONTEXT_KEY] = ctx

    bind.vitals_ctx = ctx  # type: ignore[attr-defined]
    return bind


def context(request: Request) -> ApiContext:
    """The ApiContext the router was created with."""
    ctx: ApiContext = request.scope[CONTEXT_KEY]
    return ctx


def warehouse(ctx: Annotated[ApiContext, Depends(context)]) -> Iterator[Warehouse]:
    """A warehouse connection for the request, closed after it."""
    from vitals.api.connections import tune_for_reads

    wh = ctx.connect()
    try:
        tune_for_reads(wh)
        yield wh
    finally:
        wh.close()


def client_address(request: Request) -> str:
    """Where the request came from (the peer address)."""
    return request.client.host if request.client else "unknown"


def authenticate(
    wh: Annotated[Warehouse, Depends(warehouse)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> TokenRecord:
    """The active token of the request; 401 when there is none or it is unknown or revoked."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "missing API token: send 'Authorization: Bearer <token>'", headers=challenge)
    token = TokenStore(wh).verify(credentials.credentials)
    if token is None:
        raise HTTPException(401, "invalid or revoked API token", headers=challenge)
    return token


def audit_hook(wh: Warehouse, token: TokenRecord, client: str) -> Callable[[str, str, str], None]:
    """A function writing audit entries of this token and client."""
    log = AuditLog(wh)

    def record(action: str, target: str, detail: str) -> None:
        log.record(token_name=token.name, role=token.role, action=action, target=target, client=client, detail=detail)

    return record


def scope(
    request: Request,
    wh: Annotated[Warehouse, Depends(warehouse)],
    token: Annotated[TokenRecord, Depends(authenticate)],
) -> Scope:
    """The token's Scope over the request's warehouse connection, auditing to ``api.audit_log``."""
    return Scope(token, wh, audit_hook(wh, token, client_address(request)))


ScopeDep = Annotated[Scope, Depends(scope)]
TokenDep = Annotated[TokenRecord, Depends(authenticate)]
WarehouseDep = Annotated[Warehouse, Depends(warehouse)]
ContextDep = Annotated[ApiContext, Depends(context)]


@dataclass(frozen=True)
class Paging:
    """``limit`` (clamped to ``api.max_page_size``) and ``offset`` of a list."""

    limit: int
    offset: int


def paging(
    ctx: Annotated[ApiContext, Depends(context)],
    limit: Annotated[int, Query(ge=1, le=10_000, description="Rows per page (at most api.max_page_size).")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")] = 0,
) -> Paging:
    """The page asked for, with ``limit`` clamped to the configured maximum."""
    return Paging(min(limit, ctx.settings.api.max_page_size), offset)


PagingDep = Annotated[Paging, Depends(paging)]
