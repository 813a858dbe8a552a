"""Retention campaigns: ``POST /campaigns`` starts one for an org (admin and cs), audited."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from vitals.api.auth import ContextDep, ScopeDep
from vitals.api.route_class import ApiRoute
from vitals.api.scope import Scope
from vitals.api.tokens import TokenError, normalize_org_id
from vitals.campaigns import Campaign, start_campaign
from vitals.config import Settings

router = APIRouter(route_class=ApiRoute, tags=["campaigns"])


class CampaignCreate(BaseModel):
    """A campaign to start now."""

    model_config = ConfigDict(extra="forbid")

    org_id: str = Field(max_length=64, description="The org the campaign is for.")
    kind: Literal["win_back", "training", "check_in", "renewal"]
    channel: Literal["email", "call", "in_app", "meeting"] = "email"

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str) -> str:
        try:
            return normalize_org_id(value)
        except TokenError as exc:
            raise ValueError(str(exc)) from None


class CampaignOut(BaseModel):
    """A started campaign (its first version in ``retention_campaigns``)."""

    campaign_id: str
    org_id: str
    kind: str
    channel: str
    started_at: str = Field(description="UTC, the time it landed (it counts as sent then).")
    started_by: str = Field(description="The token that started it.")


def start_for(scope: Scope, settings: Settings, org_id: str, kind: str, channel: str) -> Campaign:
    """Start a campaign for the token of ``scope`` (the ``campaigns`` feature: admin and cs) and audit it: what
    the API's ``POST /campaigns`` and the dashboard's campaign form both do."""
    scope.require("campaigns")
    org = scope.require_org(org_id)
    made = start_campaign(scope.warehouse, settings, org, kind, channel, started_by=scope.token.name)
    scope.audit("campaigns.start", f"{made.org_id}:{made.campaign_id}", f"{made.kind} by {made.channel}")
    return made


@router.post("/campaigns", response_model=CampaignOut, status_code=201, summary="Start a retention campaign")
def create_campaign(body: CampaignCreate, scope: ScopeDep, ctx: ContextDep) -> CampaignOut:
    """Start a retention campaign (win_back, training, check_in or renewal) for an org now: it lands as the
    campaign's first version in `retention_campaigns` (sent when started); the tool that sends it adds its
    opens, clicks, responses and outcome as later versions. Admin and cs; audited (`campaigns.start`)."""
    made = start_for(scope, ctx.settings, body.org_id, body.kind, body.channel)
    return CampaignOut(**made.as_dict())
