"""HubSpot settings (``[hubspot]`` in vitals.toml, ``VITALS_HUBSPOT__*`` in the environment).

The private app's access token is not a setting: it comes from ``VITALS_HUBSPOT_TOKEN`` (or
``vitals ingest hubspot --token``), so it is never written to a file.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode

from vitals.contracts import TICKET_STATUSES
from vitals.json_setting import json_table

TOKEN_ENV = "VITALS_HUBSPOT_TOKEN"
"""The private app's access token (``pat-...``)."""

DEFAULT_API_BASE = "https://api.hubapi.com"

DEFAULT_TICKET_STATUSES: dict[str, str] = {"1": "new", "2": "pending", "3": "open", "4": "closed"}
"""The stages of HubSpot's default support pipeline: New, Waiting on contact, Waiting on us, Closed."""


class HubSpotSettings(BaseModel):
    """The HubSpot pull (``vitals ingest hubspot``): deals, activities, contacts and tickets."""

    api_base: str = Field(
        default=DEFAULT_API_BASE,
        description="Address of the HubSpot API (a test or a proxy: its own address).",
    )
    api_timeout_seconds: float = Field(default=30.0, gt=0, description="Timeout of each API request.")
    page_size: int = Field(
        default=100, ge=1, le=100, description="Objects per search page (and per batch read of the same objects)."
    )
    overlap_minutes: int = Field(
        default=5,
        ge=0,
        description="Each pull searches from this many minutes before the saved cursor: HubSpot's search index "
        "lags its writes by a few seconds. Objects read again land nothing new.",
    )
    company_org_property: str = Field(
        default="org_id",
        min_length=1,
        description="Company property holding the vitals org UUID; deals, activities, contacts and tickets take "
        "the org of their (primary) associated company. A company without it is a prospect (org_id '').",
    )
    contact_campaign_property: str = Field(
        default="hs_analytics_source_data_1",
        min_length=1,
        description="Contact property landed as marketing_leads.campaign (default: the original source's "
        "first drill-down, which holds the utm_campaign of campaign traffic).",
    )
    ticket_statuses: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_TICKET_STATUSES),
        description="Ticket pipeline stage id -> status (new, open, pending, solved, closed). A stage not listed "
        "lands 'closed' when the ticket has a close date, else 'open'. Default: HubSpot's support pipeline.",
    )
    ticket_csat_property: str = Field(
        default="",
        description="Ticket property holding a 1-5 satisfaction rating; empty: csat_score lands ''.",
    )
    ticket_escalated_property: str = Field(
        default="",
        description="Ticket property (true/false) saying the ticket was escalated; empty: escalated lands 'false'.",
    )

    _json_map = field_validator("ticket_statuses", mode="before")(json_table("stage id -> status"))

    @field_validator("ticket_statuses")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted({status for status in value.values() if status not in TICKET_STATUSES})
        if unknown:
            raise ValueError(f"unknown ticket status(es) {unknown}; one of {', '.join(TICKET_STATUSES)}")
        return value


def hubspot_settings(settings: Any) -> HubSpotSettings:
    """The ``hubspot`` section of the settings (the defaults for an object without one)."""
    found = getattr(settings, "hubspot", None)
    return found if isinstance(found, HubSpotSettings) else HubSpotSettings()
