"""BI settings (``[bi]`` in vitals.toml, ``VITALS_BI__*`` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BiSettings(BaseModel):
    """The read-only snapshot BI tools open while `vitals serve` owns the DuckDB warehouse."""

    model_config = ConfigDict(extra="forbid")

    snapshot: bool = Field(
        default=True,
        description="After each successful build on DuckDB, publish the marts, metrics_daily and the core tables "
        "to the snapshot file (replaced atomically) for BI tools to open read-only.",
    )
    snapshot_path: str = Field(
        default="",
        description="The snapshot DuckDB file; empty: beside the warehouse, <warehouse stem>.snapshot.duckdb.",
    )
