"""The audit log: ``GET /audit`` (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from vitals.api.audit import AuditLog
from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import AuditOut, Page
from vitals.api.route_class import ApiRoute

router = APIRouter(route_class=ApiRoute, tags=["audit"])


@router.get("/audit", response_model=Page[AuditOut], summary="The audit log")
def audit(
    scope: ScopeDep,
    page: PagingDep,
    token_name: Annotated[str | None, Query(max_length=64, description="Only this token's entries.")] = None,
    action: Annotated[str | None, Query(max_length=64, description="Only this action (e.g. export.csv).")] = None,
) -> Page[AuditOut]:
    """Who read org-level data, exported or changed config or tokens, what, when and from where; newest first."""
    scope.require("audit")
    total, entries = AuditLog(scope.warehouse).entries(
        limit=page.limit, offset=page.offset, token_name=token_name, action=action
    )
    return Page(items=[AuditOut(**e.__dict__) for e in entries], total=total, limit=page.limit, offset=page.offset)
