"""Heat maps: a table whose numeric cells are shaded by their value (the table itself is the CSV and the
"table view"), for weekday × hour loads and cohort retention grids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vitals.dashboard.datasets import Table, _missing


@dataclass
class HeatTable(Table):
    """A ``Table`` shown as a grid: the columns listed in ``heat`` are shaded from 0 to their largest value
    (or to ``peak`` when given, e.g. 1.0 for retention rates)."""

    heat: list[str] = field(default_factory=list)
    peak: float | None = None

    def shade(self, row: dict[str, Any], key: str) -> float | None:
        """The cell's share of the peak, 0..1 (None for a cell that is not shaded or has no value)."""
        value = row.get(key)
        if key not in self.heat or _missing(value) or not isinstance(value, int | float):
            return None
        top = self.peak if self.peak is not None else self._top()
        return max(0.0, min(1.0, float(value) / top)) if top else 0.0

    def _top(self) -> float:
        values = [
            float(r[k])
            for r in self.rows
            for k in self.heat
            if isinstance(r.get(k), int | float) and not _missing(r[k])
        ]
        return max(values, default=0.0)
