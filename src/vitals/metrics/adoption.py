"""The adoption funnel over a set of orgs: providers at each step (``mart_analyses_adoption_funnel``, one row per
org) summed over the orgs a read selects, with the step-to-step conversion rates taken in SQL."""

from __future__ import annotations

from typing import Any

from vitals.metrics.reader import Reader, Source

FUNNEL = Source(
    "{core}.mart_analyses_adoption_funnel f left join {core}.organizations o on o.org_id = f.org_id",
    "org",
    org_column="f.org_id",
)
STEPS = (
    ("provider_signups", "signed up"),
    ("providers_first_transcription", "first transcription"),
    ("providers_regular_usage", "regular usage"),
)
"""The funnel's steps: column and label, in order."""
RATES = ("signup_to_first_transcription", "first_transcription_to_regular_usage")
"""The conversion from each step to the next: the providers of the later step ÷ those of the earlier one."""


def _rate(after: str, before: str) -> str:
    return f"case when sum(f.{before}) > 0 then cast(sum(f.{after}) as double precision) / sum(f.{before}) end"


FUNNEL_COLUMNS = ", ".join(
    [f"sum(f.{key}) as {key}" for key, _ in STEPS]
    + [
        f"{_rate(after, before)} as {name}"
        for name, (before, _), (after, _) in zip(RATES, STEPS[:-1], STEPS[1:], strict=True)
    ]
)


def funnel_totals(
    reader: Reader, conditions: list[str], params: list[Any], *, action: str = "adoption.funnel"
) -> dict[str, Any] | None:
    """The providers at each step and the conversion rates over the orgs selected by ``conditions`` (on
    ``FUNNEL``'s aliases f and o); None when no provider signed up."""
    rows = reader.select(
        FUNNEL,
        columns=FUNNEL_COLUMNS,
        conditions=conditions,
        params=params,
        action=action,
        target="mart_analyses_adoption_funnel",
    )
    return rows[0] if rows and rows[0]["provider_signups"] else None
