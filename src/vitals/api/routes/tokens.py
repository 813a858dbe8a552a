"""API tokens: ``GET /tokens``, ``POST /tokens``, ``DELETE /tokens/{name_or_id}`` (admin), audited."""

from __future__ import annotations

from fastapi import APIRouter

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import Page, TokenCreate, TokenCreated, TokenOut
from vitals.api.route_class import ApiRoute
from vitals.api.scope import BadRequest, NotFound
from vitals.api.tokens import TokenError, TokenStore

router = APIRouter(route_class=ApiRoute, tags=["tokens"])


@router.get("/tokens", response_model=Page[TokenOut], summary="List tokens")
def list_tokens(scope: ScopeDep, page: PagingDep) -> Page[TokenOut]:
    """Every token (never a secret), newest first."""
    scope.require("tokens")
    tokens = TokenStore(scope.warehouse).list()
    items = [TokenOut(**t.__dict__) for t in tokens[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(tokens), limit=page.limit, offset=page.offset)


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Create a token")
def create_token(body: TokenCreate, scope: ScopeDep) -> TokenCreated:
    """A new token; its secret is in this answer only."""
    scope.require("tokens")
    try:
        record, secret = TokenStore(scope.warehouse).create(body.role, org_id=body.org_id, name=body.name)
    except TokenError as exc:
        raise BadRequest(str(exc)) from None
    scope.audit("token.create", record.name, f"role {record.role}" + (f" org {record.org_id}" if record.org_id else ""))
    return TokenCreated(**record.__dict__, token=secret)


@router.delete("/tokens/{name_or_id}", response_model=TokenOut, summary="Revoke a token")
def revoke_token(name_or_id: str, scope: ScopeDep) -> TokenOut:
    """Revoke a token by name or id: it gets 401 from now on."""
    scope.require("tokens")
    try:
        record = TokenStore(scope.warehouse).revoke(name_or_id)
    except TokenError as exc:
        raise NotFound(str(exc)) from None
    scope.audit("token.revoke", record.name, "")
    return TokenOut(**record.__dict__)
