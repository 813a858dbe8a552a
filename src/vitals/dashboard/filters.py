"""The global filters every page applies: a date range, an org and a plan, kept in the query string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from vitals.api.scope import BadRequest

KEYS = ("from", "to", "org", "plan")


@dataclass(frozen=True)
class Filters:
    """What the query string asked for (None: not picked); ``start``/``end`` are filled in by ``resolve``."""

    start: date | None = None
    end: date | None = None
    org: str | None = None
    plan: str | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """The filters of a query string; ``BadRequest`` names the parameter that is not valid."""
        start, end = _day(query, "from"), _day(query, "to")
        if start and end and start > end:
            raise BadRequest("'from' is after 'to': pick a date range that starts before it ends")
        org = (query.get("org") or "").strip().lower() or None
        plan = (query.get("plan") or "").strip() or None
        if org is not None and len(org) > 64:
            raise BadRequest("'org' is not an org id")
        if plan is not None and len(plan) > 64:
            raise BadRequest("'plan' is not a plan name")
        return cls(start, end, org, plan)

    def resolve(self, latest: date | None, default_days: int) -> Filters:
        """The range to read: ``to`` (default: the latest built day) and ``from`` (default ``default_days``
        before it)."""
        end = self.end or latest
        start = self.start or (end - timedelta(days=default_days - 1) if end else None)
        return replace(self, start=start, end=end)

    def query(self, **changes: str | None) -> str:
        """The query string of these filters (``changes`` override them; None drops one), with ``?``."""
        values = {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "org": self.org,
            "plan": self.plan,
        }
        values.update(changes)
        kept = {k: v for k, v in values.items() if v}
        return "?" + urlencode(kept) if kept else ""


def _day(query: Mapping[str, str], key: str) -> date | None:
    raw = (query.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"'{key}' is not a date (YYYY-MM-DD): {raw[:20]!r}") from None
