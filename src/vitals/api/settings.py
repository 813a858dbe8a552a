"""API settings (``[api]`` in vitals.toml, ``VITALS_API__*`` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiSettings(BaseModel):
    """Limits of the HTTP API."""

    model_config = ConfigDict(extra="forbid")

    max_body_bytes: int = Field(
        default=65_536, gt=0, description="Largest request body accepted; a larger one gets 413 and is not read."
    )
    max_page_size: int = Field(
        default=500, gt=0, description="Largest `limit` of a paginated list (the default page is 50 rows)."
    )
    export_batch_rows: int = Field(
        default=10_000, gt=0, description="Rows fetched from the warehouse and written per chunk of an export."
    )
