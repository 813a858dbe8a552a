"""What pages show: tables and charts, each with the rows behind it (the table view and the CSV download)."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from vitals.csv_safety import neutralise_row
from vitals.metrics.headline import format_value


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header and the unit its values are formatted by."""

    key: str
    label: str
    unit: str = "text"


@dataclass
class Table:
    """Rows to show as a table (and download as CSV); ``empty`` says what to connect when there are none."""

    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    empty: str = "Nothing to show for these filters."
    link: str | None = None
    """A column key whose cell links to ``row['href']``."""

    def cell(self, row: dict[str, Any], column: Column) -> str:
        """The formatted value of ``row`` in ``column``."""
        return display(column.unit, row.get(column.key))

    def csv(self) -> str:
        """The rows as CSV: raw values (cents stay cents), one header line of column keys; a text cell a
        spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) gets a leading ``'``."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            cells = ["" if _missing(row.get(c.key)) else row.get(c.key) for c in self.columns]
            writer.writerow(neutralise_row(cells))
        return out.getvalue()


@dataclass(frozen=True)
class Series:
    """One line or bar set of a chart."""

    key: str
    label: str
    values: list[float | None]


ChartKind = Literal["line", "bar", "stacked"]


@dataclass
class Chart:
    """A chart over ``labels`` (x values); its table view has one column per series."""

    id: str
    title: str
    kind: ChartKind
    labels: list[str]
    series: list[Series]
    unit: str = "count"
    empty: str = "Nothing to show for these filters."
    x_label: str = "day"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        """Whether any series has a value."""
        return any(v is not None for s in self.series for v in s.values)

    def table(self) -> Table:
        """The chart's data as a table (the toggle and the CSV show this)."""
        columns = [Column("x", self.x_label), *(Column(s.key, s.label, self.unit) for s in self.series)]
        rows = [{"x": x, **{s.key: s.values[i] for s in self.series}} for i, x in enumerate(self.labels)]
        return Table(self.id, self.title, columns, rows if self.has_data else [], self.empty)

    def config(self) -> str:
        """The chart as JSON for the page's script (values in display units: dollars, percent)."""
        scale = 0.01 if self.unit == "cents" else 100.0 if self.unit == "ratio" else 1.0
        return json.dumps(
            {
                "kind": self.kind,
                "unit": self.unit,
                "labels": self.labels,
                "series": [
                    {
                        "label": s.label,
                        "values": [None if v is None or _missing(v) else round(v * scale, 4) for v in s.values],
                    }
                    for s in self.series
                ],
            }
        )


Dataset = Table | Chart


def display(unit: str, value: Any) -> str:
    """A value as a person reads it; missing values are a dash (never NaN)."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "text" or not isinstance(value, int | float):
        return str(value)
    if unit == "score":
        return f"{value:.1f}"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit == "seconds":
        return f"{value:,.0f} s"
    if unit == "milliseconds":
        return f"{value:,.0f} ms"
    if unit == "cents" and value < 0:
        return "−" + format_value(unit, -float(value))
    if unit == "count" and not float(value).is_integer():
        return f"{value:,.1f}"
    return format_value(unit, float(value))


def change_text(unit: str, change: float | None, percent: float | None) -> str:
    """A change vs the previous period: ``+1.2%`` (ratios in points, ``pp``)."""
    if _missing(change):
        return "no previous week to compare"
    assert change is not None
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if unit == "ratio":
        return f"{sign}{abs(100 * change):.1f} pp"
    if percent is None or _missing(percent):
        return f"{sign}{display(unit, abs(change))}"
    return f"{sign}{abs(percent):.1f}%"


def sparkline(values: list[float | None], width: int = 120, height: int = 28) -> str:
    """An inline SVG polyline of the values (empty string when fewer than two are known)."""
    known = [(i, v) for i, v in enumerate(values) if not _missing(v)]
    if len(known) < 2:
        return ""
    low, high = min(v for _, v in known), max(v for _, v in known)  # type: ignore[type-var]
    span = (high - low) or 1.0  # type: ignore[operator]
    last = max(len(values) - 1, 1)
    points = " ".join(
        f"{i * width / last:.1f},{height - 2 - (v - low) * (height - 4) / span:.1f}"  # type: ignore[operator]
        for i, v in known
    )
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/></svg>'
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))
