"""`vitals revenue [--month YYYY-MM]`: the monthly MRR bridge and ratios, read from ``mart_revenue_monthly``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.metrics.headline import format_value
from vitals.warehouse import open_warehouse

MART = "mart_revenue_monthly"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
BRIDGE = (
    ("start_mrr_cents", "MRR at start", ""),
    ("new_mrr_cents", "new", "+"),
    ("expansion_mrr_cents", "expansion", "+"),
    ("reactivation_mrr_cents", "reactivation", "+"),
    ("contraction_mrr_cents", "contraction", "−"),
    ("churned_mrr_cents", "churn", "−"),
    ("end_mrr_cents", "MRR at end", "="),
)
RATIOS = (
    ("end_arr_cents", "ARR", "cents"),
    ("arpa_month_end_cents", "ARPA", "cents"),
    ("nrr", "NRR", "ratio"),
    ("grr", "GRR", "ratio"),
    ("logo_churn_rate", "logo churn", "ratio"),
    ("revenue_churn_rate", "revenue churn", "ratio"),
    ("ltv_cents", "LTV", "cents"),
)


class RevenueError(VitalsError):
    """The revenue mart is missing, or the month asked for is not in it."""


@dataclass(frozen=True)
class MonthBridge:
    """One month of ``mart_revenue_monthly``."""

    month: date
    last_day: date
    values: dict[str, Any]

    def holds(self) -> bool:
        """Whether start + new + expansion + reactivation − contraction − churn = end."""
        v = self.values
        moved = (
            v["start_mrr_cents"]
            + v["new_mrr_cents"]
            + v["expansion_mrr_cents"]
            + v["reactivation_mrr_cents"]
            - v["contraction_mrr_cents"]
            - v["churned_mrr_cents"]
        )
        return bool(moved == v["end_mrr_cents"])


def revenue_bridge(settings: Settings, month: str | None = None, months: int = 1) -> list[MonthBridge]:
    """The bridge of ``month`` (YYYY-MM; default the latest built) and the ``months - 1`` before it, oldest first."""
    if month is not None and not _MONTH.match(month):
        raise RevenueError(f"--month must be YYYY-MM, got {month!r}")
    with open_warehouse(settings) as warehouse:
        schema = warehouse.core_schema
        if not warehouse.table_exists(schema, MART):
            raise RevenueError(f"{schema}.{MART} does not exist: run `vitals build` first")
        found = warehouse.query_arrow(f"select * from {schema}.{MART} order by month_start").to_pylist()
    bridges = [MonthBridge(_day(r["month_start"]), _day(r["last_day"]), r) for r in found]
    if not bridges:
        return []
    if month is None:
        end = len(bridges)
    else:
        wanted = date.fromisoformat(f"{month}-01")
        index = next((i for i, b in enumerate(bridges) if b.month == wanted), None)
        if index is None:
            raise RevenueError(
                f"no revenue for {month}: built months are {bridges[0].month:%Y-%m} .. {bridges[-1].month:%Y-%m}"
            )
        end = index + 1
    return bridges[max(0, end - months) : end]


LABEL_WIDTH = 16
MONTH_WIDTH = 14


def render_bridge(bridges: list[MonthBridge], width: int = 80) -> str:
    """The bridge as a plain-text table, one column per month; months that do not fit ``width`` columns go to
    further blocks below (each with its own header), never off the edge."""
    if not bridges:
        return "no invoices yet: load billing data and run `vitals build`"
    per_block = max(1, (width - LABEL_WIDTH) // MONTH_WIDTH)
    out: list[str] = []
    for first in range(0, len(bridges), per_block):
        if out:
            out.append("")
        out += _bridge_block(bridges[first : first + per_block])
    partial = bridges[-1]
    if partial.last_day.day < calendar.monthrange(partial.month.year, partial.month.month)[1]:
        out.append(f"\n{partial.month:%Y-%m} is month to date (through {partial.last_day.isoformat()})")
    if not all(b.holds() for b in bridges):
        out.append("warning: the bridge does not add up for a month shown; rebuild with `vitals build --full-refresh`")
    return "\n".join(out)


def _bridge_block(bridges: list[MonthBridge]) -> list[str]:
    header = f"{'':<{LABEL_WIDTH}}" + "".join(f"{b.month:%Y-%m}".rjust(MONTH_WIDTH) for b in bridges)
    out = [header]
    for column, label, sign in BRIDGE:
        cells = "".join(f"{sign}{format_value('cents', b.values[column])}".rjust(MONTH_WIDTH) for b in bridges)
        out.append(f"{label:<{LABEL_WIDTH}}{cells}")
    out.append("")
    for column, label, unit in RATIOS:
        cells = "".join(format_value(unit, b.values[column]).rjust(MONTH_WIDTH) for b in bridges)
        out.append(f"{label:<{LABEL_WIDTH}}{cells}")
    return out


BRIDGE_COLUMNS = ("month", "last_day", *(c for c, _, _ in BRIDGE), *(c for c, _, _ in RATIOS), "bridge_holds")
"""The columns of ``bridge_rows``: raw values (cents stay cents, ratios stay ratios)."""


def bridge_rows(bridges: list[MonthBridge]) -> list[tuple[Any, ...]]:
    """One row per month under ``BRIDGE_COLUMNS``, for ``--format csv`` and ``json``."""
    return [
        (
            f"{b.month:%Y-%m}",
            b.last_day,
            *(b.values[c] for c, _, _ in BRIDGE),
            *(b.values[c] for c, _, _ in RATIOS),
            b.holds(),
        )
        for b in bridges
    ]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
