"""The digest's charts as PNG: the MRR trend, the month's MRR bridge as a waterfall and active providers.

Rendered with matplotlib's Agg canvas (no display, no pyplot state) at a fixed size and dpi, without a
timestamp or version in the PNG metadata, so the same data gives the same bytes. A chart without data is an
image that says so, never an error."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec

from vitals.metrics.activity import WAP_MART, wap_trend
from vitals.metrics.catalog import default_catalog
from vitals.metrics.headline import format_value
from vitals.metrics.reader import WarehouseReader
from vitals.metrics.series import daily_values
from vitals.revenue import BRIDGE, MonthBridge
from vitals.warehouse.base import Warehouse

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MRR_DAYS = 91
"""The MRR trend covers 13 weeks ending on the report's last day."""
ACTIVITY_DAYS = 56
"""The active-provider trend covers 8 weeks ending on the report's last day."""

SIZE_INCHES = (8.0, 3.2)
DPI = 100
"""Every chart is 800 × 320 pixels."""

UP, DOWN, TOTAL, LINE, LINE_2, MUTED = "#2e7d32", "#c62828", "#37474f", "#1565c0", "#ef6c00", "#78909c"

Point = tuple[date, float]
P = ParamSpec("P")


@dataclass(frozen=True)
class Trends:
    """Global series for the charts, oldest first (days without a value are left out)."""

    end: date
    mrr_cents: list[Point] = field(default_factory=list)
    dad: list[Point] = field(default_factory=list)
    wap: list[Point] = field(default_factory=list)
    """Weekly active providers (seed 000's WAP) of each full week, at its Monday."""


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the digest: its file suffix and its title."""

    slug: str
    title: str


CHARTS = (
    ChartSpec("mrr", "MRR, last 13 weeks"),
    ChartSpec("bridge", "MRR bridge"),
    ChartSpec("activity", "Active providers, last 8 weeks"),
)


@dataclass(frozen=True)
class Chart:
    """A rendered chart: ``png`` is the file's bytes; ``empty`` when it only says there is no data."""

    spec: ChartSpec
    png: bytes
    empty: bool

    def filename(self, week_end: date) -> str:
        return chart_filename(week_end, self.spec.slug)


def chart_filename(week_end: date, slug: str) -> str:
    """``weekly-<last day>-<slug>.png``, saved next to ``weekly-<last day>.html``."""
    return f"weekly-{week_end.isoformat()}-{slug}.png"


def load_trends(warehouse: Warehouse, end: date) -> Trends:
    """The series ending on ``end``, read through the read layer: MRR and DAD from ``metrics_daily``, WAP from
    ``mart_analyses_weekly_active_providers`` (empty when they are not built)."""
    schema = warehouse.core_schema
    if not warehouse.table_exists(schema, "metrics_daily"):
        return Trends(end)
    reader = WarehouseReader(warehouse)
    catalog = default_catalog()
    entity = ("global", "global")

    def daily(name: str, days: int) -> list[Point]:
        values = daily_values(
            reader, catalog.metric(name), entity, end - timedelta(days=days - 1), end, action="digest"
        )
        return [(day, value) for day, value in values if value is not None]

    wap: list[Point] = []
    if warehouse.table_exists(schema, WAP_MART):
        weeks = wap_trend(reader, None, end, ACTIVITY_DAYS // 7, action="digest")
        wap = [(p.period_start, p.value) for p in weeks if p.value is not None]
    return Trends(end, daily("mrr_cents", MRR_DAYS), daily("dad", ACTIVITY_DAYS), wap)


@dataclass(frozen=True)
class Bar:
    """One waterfall bar in cents: it spans ``bottom`` to ``bottom + height``; ``delta`` is what it adds."""

    label: str
    bottom: float
    height: float
    delta: float
    kind: str  # "total", "up" or "down"

    @property
    def top(self) -> float:
        return self.bottom + self.height


def bridge_bars(bridge: MonthBridge) -> list[Bar]:
    """The bridge as waterfall bars: start and end from zero, each movement from the running total."""
    bars = []
    running = 0.0
    for column, label, sign in BRIDGE:
        value = float(bridge.values[column] or 0)
        if sign in ("", "="):
            bars.append(Bar(label, 0.0, value, value, "total"))
            running = value
        elif sign == "+":
            bars.append(Bar(label, running, value, value, "up"))
            running += value
        else:
            bars.append(Bar(label, running - value, value, -value, "down"))
            running -= value
    return bars


def render_charts(trends: Trends, bridge: MonthBridge | None) -> list[Chart]:
    """The three charts, in ``CHARTS`` order."""
    mrr, waterfall, activity = CHARTS
    bridge_spec = waterfall
    if bridge is not None:
        bridge_spec = ChartSpec(waterfall.slug, f"{waterfall.title} {bridge.month:%Y-%m} (to {bridge.last_day:%b %d})")
    return [
        render_mrr_trend(trends, mrr),
        render_bridge(bridge, bridge_spec),
        render_activity(trends, activity),
    ]


def _styled(render: Callable[P, Chart]) -> Callable[P, Chart]:
    """Render with matplotlib's default style, whatever a local matplotlibrc says."""

    @functools.wraps(render)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        from matplotlib import style

        with style.context("default"):
            return render(*args, **kwargs)

    return wrapper


@_styled
def render_mrr_trend(trends: Trends, spec: ChartSpec = CHARTS[0]) -> Chart:
    """Daily global MRR in dollars over the last 13 weeks."""
    if not trends.mrr_cents:
        return _empty(spec, f"No MRR in the 13 weeks to {trends.end:%b %d, %Y}")
    fig, ax = _figure(spec.title)
    days = _x([d for d, _ in trends.mrr_cents])
    dollars = [v / 100 for _, v in trends.mrr_cents]
    ax.plot(days, dollars, color=LINE, linewidth=2)
    ax.fill_between(days, dollars, min(dollars), color=LINE, alpha=0.08)
    _date_axis(ax, trends.end, MRR_DAYS, weeks=2)
    _dollar_axis(ax)
    last_day, last = trends.mrr_cents[-1]
    ax.annotate(
        format_value("cents", last),
        (_x([last_day])[0], last / 100),
        xytext=(-4, 8),
        textcoords="offset points",
        ha="right",
        fontsize=9,
        color=LINE,
    )
    return Chart(spec, _png(fig), empty=False)


@_styled
def render_bridge(bridge: MonthBridge | None, spec: ChartSpec = CHARTS[1]) -> Chart:
    """The month's MRR bridge as a waterfall, each bar labelled with its amount."""
    if bridge is None:
        return _empty(spec, "No MRR bridge: the revenue mart is not built")
    bars = bridge_bars(bridge)
    fig, ax = _figure(spec.title)
    colors = {"total": TOTAL, "up": UP, "down": DOWN}
    xs = list(range(len(bars)))
    ax.bar(
        xs,
        [b.height / 100 for b in bars],
        bottom=[b.bottom / 100 for b in bars],
        color=[colors[b.kind] for b in bars],
        width=0.6,
    )
    for x, (bar, (_, _, sign)) in enumerate(zip(bars, BRIDGE, strict=True)):
        text = format_value("cents", abs(bar.delta))
        ax.annotate(
            text if bar.kind == "total" else f"{sign}{text}",
            (x, max(bar.top, bar.bottom) / 100),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    for x in xs[:-1]:  # connectors at the running total
        level = (bars[x].top if bars[x].kind != "down" else bars[x].bottom) / 100
        ax.plot([x + 0.3, x + 0.7], [level, level], color=MUTED, linewidth=0.8)
    ax.set_xticks(xs, [b.label for b in bars], fontsize=8)
    _dollar_axis(ax)
    low = min(b.bottom for b in bars[1:-1]) if len(bars) > 2 else 0.0
    high = max(max(b.top for b in bars), 1.0)
    floor = max(0.0, low - 0.15 * (high - low))
    ax.set_ylim(floor / 100, high * 1.08 / 100)
    return Chart(spec, _png(fig), empty=False)


@_styled
def render_activity(trends: Trends, spec: ChartSpec = CHARTS[2]) -> Chart:
    """Daily active doctors and weekly active providers (a successful job in the week) over the last 8 weeks."""
    if not trends.dad and not trends.wap:
        return _empty(spec, f"No activity in the 8 weeks to {trends.end:%b %d, %Y}")
    fig, ax = _figure(spec.title)
    if trends.wap:
        weeks, values = _x([d for d, _ in trends.wap]), [v for _, v in trends.wap]
        # each week's value held from its Monday to the next
        ax.step(
            [*weeks, weeks[-1] + 7],
            [*values, values[-1]],
            where="post",
            color=LINE,
            linewidth=2,
            label="weekly active providers",
        )
    if trends.dad:
        days = _x([d for d, _ in trends.dad])
        ax.plot(days, [v for _, v in trends.dad], color=LINE_2, linewidth=2, label="daily active doctors")
    _date_axis(ax, trends.end, ACTIVITY_DAYS, weeks=1)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_formatter(lambda v: f"{v:,.0f}"))
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    return Chart(spec, _png(fig), empty=False)


def _figure(title: str) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    return fig, ax


def _empty(spec: ChartSpec, message: str) -> Chart:
    fig, ax = _figure(spec.title)
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color=MUTED, transform=ax.transAxes)
    return Chart(spec, _png(fig), empty=True)


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _date_axis(ax: Axes, end: date, days: int, weeks: int) -> None:
    from matplotlib.dates import MO, DateFormatter, WeekdayLocator

    ax.set_xlim(*_x([end - timedelta(days=days - 1), end]))
    ax.xaxis.set_major_locator(WeekdayLocator(byweekday=MO, interval=weeks))
    ax.xaxis.set_major_formatter(DateFormatter("%b %d"))


def _x(days: list[date]) -> list[float]:
    """Dates as matplotlib's day numbers (what a date axis plots)."""
    from matplotlib.dates import date2num

    return [float(date2num(d)) for d in days]


def _dollar_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(_formatter(lambda v: f"${v:,.0f}"))


def _formatter(fn: Any) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: fn(v))
