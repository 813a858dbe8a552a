"""Dashboard settings (``[dashboard]`` in vitals.toml, ``VITALS_DASHBOARD__*`` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DashboardSettings(BaseModel):
    """The web dashboard served by `vitals serve` at ``/``."""

    model_config = ConfigDict(extra="forbid")

    refresh_seconds: int = Field(
        default=60, ge=0, description="Pages reload themselves this often (seconds); 0 turns auto-refresh off."
    )
    session_hours: int = Field(
        default=12, gt=0, description="A dashboard login lasts this long (hours); logging out ends it sooner."
    )
    default_days: int = Field(
        default=90, gt=0, description="Days shown when no date range is picked (ending on the latest built day)."
    )
    secure_cookie: bool = Field(
        default=False, description="Mark the session cookie Secure (set it when the dashboard is served over HTTPS)."
    )
