"""A short account of what the warehouse holds: the figures the demo and `vitals doctor` print."""

from __future__ import annotations

from dataclasses import dataclass, field

from vitals.warehouse.base import Warehouse


@dataclass
class CoreSummary:
    """Counts over the core model."""

    orgs: int
    active_orgs: int
    providers: int
    jobs_by_status: dict[str, int] = field(default_factory=dict)
    timeouts: int = 0
    sessions: int = 0
    bounce_sessions: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines, one figure each."""
        jobs = sum(self.jobs_by_status.values())
        by_status = ", ".join(f"{k} {v:,}" for k, v in sorted(self.jobs_by_status.items()))
        return [
            f"organizations      {self.orgs:,} ({self.active_orgs:,} paying now)",
            f"providers          {self.providers:,}",
            f"summarization jobs {jobs:,} ({by_status}; {self.timeouts:,} timed out)",
            f"sessions           {self.sessions:,} ({self.bounce_sessions:,} bounces)",
        ]


def core_summary(warehouse: Warehouse) -> CoreSummary:
    """Count orgs, providers, jobs by status and sessions in the built core model."""
    schema = warehouse.core_schema
    orgs, active = warehouse.query(
        f"select count(*), sum(case when is_active then 1 else 0 end) from {schema}.organizations"
    )[0]
    providers = warehouse.query(f"select count(*) from {schema}.providers")[0][0]
    jobs = warehouse.query(f"select status, count(*) from {schema}.summarization_jobs group by status")
    timeouts = warehouse.query(f"select count(*) from {schema}.summarization_jobs where error_level = 'timeout'")[0][0]
    sessions, bounces = warehouse.query(
        f"select count(*), sum(case when is_bounce then 1 else 0 end) from {schema}.sessions"
    )[0]
    return CoreSummary(
        orgs=int(orgs),
        active_orgs=int(active or 0),
        providers=int(providers),
        jobs_by_status={str(status): int(n) for status, n in jobs},
        timeouts=int(timeouts),
        sessions=int(sessions),
        bounce_sessions=int(bounces or 0),
    )
