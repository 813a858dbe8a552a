"""Configuration: ``GET /config`` and ``PATCH /config`` (admin): validated, versioned, audited."""

from __future__ import annotations

from fastapi import APIRouter

from vitals.api.auth import ContextDep, PagingDep, ScopeDep
from vitals.api.config_store import ConfigPatch, ConfigStore, ConfigVersion
from vitals.api.models import Page
from vitals.api.route_class import ApiRoute

router = APIRouter(route_class=ApiRoute, tags=["config"])


@router.get("/config", response_model=ConfigVersion, summary="The editable configuration in force")
def get_config(scope: ScopeDep, ctx: ContextDep) -> ConfigVersion:
    """Health weights, alert thresholds and time zone: the latest stored version (0: the settings as given)."""
    scope.require("config")
    return ConfigStore(scope.warehouse, ctx.settings).current()


@router.get("/config/versions", response_model=Page[ConfigVersion], summary="Stored configuration versions")
def config_versions(scope: ScopeDep, ctx: ContextDep, page: PagingDep) -> Page[ConfigVersion]:
    """Every stored version, newest first, with what it changed and who changed it."""
    scope.require("config")
    total, items = ConfigStore(scope.warehouse, ctx.settings).history(limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.patch("/config", response_model=ConfigVersion, summary="Change the configuration")
def patch_config(change: ConfigPatch, scope: ScopeDep, ctx: ContextDep) -> ConfigVersion:
    """Validate the change as a whole (400 and nothing stored when any part is invalid), store it as the
    next version and audit it."""
    scope.require("config")
    version = ConfigStore(scope.warehouse, ctx.settings).change(change, scope.token.name)
    scope.audit("config.change", f"version {version.version}", change.model_dump_json(exclude_none=True))
    return version
