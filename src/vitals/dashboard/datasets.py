"""What pages show: tables and charts, each with the rows behind it (the table view and the CSV download)."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vitals.csv_safety import neutralise_row
from vitals.metrics.headline import format_value


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header and the unit its values are formatted by."""

    key: str
    label: str
    unit: str = "text"
    names: dict[str, str] | None = field(default=None, hash=False, compare=False)
    """Readable names of raw text values (a source's table name -> the source), shown instead of the value."""
    limit: tuple[str, float] | None = None
    """An alert rule's threshold on the column's values (``("<", 40.0)``): a cell beyond it is coloured."""

    def breached(self, value: Any) -> bool:
        """Whether ``value`` is beyond the column's ``limit``."""
        if self.limit is None or _missing(value) or not isinstance(value, int | float):
            return False
        op, edge = self.limit
        return {"<": value < edge, "<=": value <= edge, ">": value > edge, ">=": value >= edge}[op]


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

    def tone(self, row: dict[str, Any], column: Column) -> str:
        """The cell's colour class: a health band's own colour, ``breached`` beyond an alert threshold, else ''."""
        value = row.get(column.key)
        if column.key.endswith("band") and isinstance(value, str) and value:
            return "band-" + value.lower().replace(" ", "-")
        return "breached" if column.breached(value) else ""

    def cell(self, row: dict[str, Any], column: Column) -> str:
        """The formatted value of ``row`` in ``column``."""
        value = row.get(column.key)
        if column.names is not None and isinstance(value, str):
            return column.names.get(value, value)
        return display(column.unit, value)

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
    partial: list[str] = field(default_factory=list)
    """Labels of periods not complete yet (the current week or month up to the last day with data)."""
    time_zone: str | None = None
    """The business time zone the x values are days or hours of (named in the x axis title)."""
    links: list[str | None] = field(default_factory=list)
    """Per label, the page listing the orgs behind it: a click on its bars opens it (so does its table row)."""

    @property
    def has_data(self) -> bool:
        """Whether any series has a value."""
        return any(v is not None for s in self.series for v in s.values)

    @property
    def x_title(self) -> str:
        """The x axis title: what a label is, with the business time zone for days and hours."""
        return f"{self.x_label} ({self.time_zone})" if self.time_zone else self.x_label

    def table(self) -> Table:
        """The chart's data as a table (the toggle and the CSV show this)."""
        columns = [Column("x", self.x_label), *(Column(s.key, s.label, self.unit) for s in self.series)]
        rows = [{"x": x, **{s.key: s.values[i] for s in self.series}} for i, x in enumerate(self.labels)]
        for row, href in zip(rows, self.links, strict=False):
            row["href"] = href
        return Table(self.id, self.title, columns, rows if self.has_data else [], self.empty, link="x")

    def config(self) -> str:
        """The chart as JSON for the page's script (values in display units: dollars, percent)."""
        scale = 0.01 if self.unit == "cents" else 100.0 if self.unit == "ratio" else 1.0
        unit = self.unit
        if unit in DURATION_SCALE:  # durations are drawn in minutes, never raw seconds or milliseconds
            scale, unit = DURATION_SCALE[unit], "minutes"
        return json.dumps(
            {
                "kind": self.kind,
                "unit": unit,
                "labels": self.labels,
                "partial": self.partial,
                "links": self.links,
                "axes": {"x": self.x_title, "y": AXIS_TITLES.get(unit, unit)},
                "series": [
                    {
                        "key": s.key,
                        "label": s.label,
                        "values": [None if v is None or _missing(v) else round(v * scale, 4) for v in s.values],
                    }
                    for s in self.series
                ],
            }
        )


Dataset = Table | Chart
DURATION_SCALE = {"milliseconds": 1 / 60_000, "seconds": 1 / 60}
"""How a duration unit becomes minutes on a chart."""
AXIS_TITLES = {"cents": "US dollars", "ratio": "%", "percent": "%", "minutes": "minutes", "score": "points"}
"""The y axis title of each unit a chart draws."""


def display(unit: str, value: Any) -> str:
    """A value as a person reads it; missing values are a dash (never NaN)."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timestamp(value)
    if unit == "text" or not isinstance(value, int | float):
        return str(value)
    if unit == "score":
        return f"{value:.1f}"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit == "seconds":
        return duration(float(value))
    if unit == "milliseconds":
        return duration(float(value) / 1000)
    if unit == "days":
        return f"{value:,.0f} d" if float(value).is_integer() else f"{value:,.1f} d"
    if unit == "cents" and value < 0:
        return "−" + format_value(unit, -float(value))
    if unit == "count" and not float(value).is_integer():
        return f"{value:,.1f}"
    return format_value(unit, float(value))


def duration(seconds: float) -> str:
    """A duration as a person reads it: seconds under a minute, then minutes, hours (under two days), days."""
    sign, seconds = ("−", -seconds) if seconds < 0 else ("", seconds)
    for size, suffix in ((86_400, " days"), (3_600, " h"), (60, " min")):
        if seconds >= (2 * size if size == 86_400 else size):
            return sign + _short(seconds / size) + suffix
    return sign + (_short(seconds) if seconds < 10 else f"{seconds:.0f}") + " s"


def timestamp(value: datetime | str) -> str:
    """A moment to the minute (``2026-12-04 16:05``), without seconds, fractions or offset."""
    text = value.isoformat(" ") if isinstance(value, datetime) else str(value)
    return text.replace("T", " ")[:16]


def _short(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


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
