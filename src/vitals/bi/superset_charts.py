"""The Superset bundle's charts and dashboards: which catalog metrics and marts each dashboard shows, each chart's
form data and saved query context (what Superset's chart data API runs), and each dashboard's layout.

A dashboard is a list of sections. A metric section charts, one line chart each, the catalog metrics of its
domains up to a tier that land in ``metrics_daily`` at the global grain, over ``metric_date``; a table section
shows each mart of its domains as a table of its rows, newest first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vitals.bi.tables import METRICS_TABLE, BiTable, is_time_column
from vitals.metrics.catalog import Catalog, Metric

EXPORT_VERSION = "1.0.0"
"""Superset's import/export format version."""
LINE_ROWS = 10_000
TABLE_ROWS = 1_000
GRID_COLUMNS = 12
LINE_WIDTH = 4
CHART_HEIGHT = 50


@dataclass(frozen=True)
class Section:
    """A titled part of a dashboard: line charts of catalog metrics, or tables of marts."""

    title: str
    metric_domains: tuple[str, ...] = ()
    """Chart the daily global metrics of these catalog domains..."""
    max_tier: int = 1
    """...of this tier or a more important one (1 = headline)."""
    mart_domains: tuple[str, ...] = ()
    """Show the marts of these ``models/marts/<domain>`` folders as tables."""


@dataclass(frozen=True)
class DashboardSpec:
    """One dashboard of the bundle."""

    slug: str
    title: str
    description: str
    sections: tuple[Section, ...]


DASHBOARDS: tuple[DashboardSpec, ...] = (
    DashboardSpec(
        slug="vitals-executive",
        title="vitals: Executive",
        description="The headline metrics (tier 1) of usage, revenue, customers and product, day by day.",
        sections=(
            Section("Usage and quality", metric_domains=("kpi",)),
            Section("Revenue", metric_domains=("revenue",)),
            Section("Customers", metric_domains=("customer_success",)),
            Section("Product", metric_domains=("product",)),
            Section("Daily KPIs per org", mart_domains=("kpi",)),
        ),
    ),
    DashboardSpec(
        slug="vitals-customer-success",
        title="vitals: Customer success",
        description="Health, its components and bands, NPS, support load; churn risk and health per org and "
        "provider, tickets and retention campaigns.",
        sections=(
            Section("Health and NPS", metric_domains=("customer_success",), max_tier=2),
            Section("Support", metric_domains=("support",), max_tier=2),
            Section("Accounts", mart_domains=("customer_success",)),
            Section("Support tables", mart_domains=("support",)),
        ),
    ),
    DashboardSpec(
        slug="vitals-sales",
        title="vitals: Sales",
        description="MRR, its movements, retention and paying orgs; pipeline, bookings and quota; marketing spend "
        "and CAC; monthly revenue, movements, cohorts, deals and channels.",
        sections=(
            Section("Revenue", metric_domains=("revenue",), max_tier=2),
            Section("Pipeline", metric_domains=("sales",), max_tier=2),
            Section("Marketing", metric_domains=("marketing",), max_tier=2),
            Section("Revenue tables", mart_domains=("revenue",)),
            Section("Pipeline tables", mart_domains=("sales",)),
            Section("Marketing tables", mart_domains=("marketing",)),
        ),
    ),
    DashboardSpec(
        slug="vitals-product",
        title="vitals: Product",
        description="Active providers, stickiness and adoption; reliability; the product, analyses and "
        "reliability marts.",
        sections=(
            Section("Usage", metric_domains=("product",), max_tier=2),
            Section("Reliability", metric_domains=("reliability",), max_tier=2),
            Section("Product tables", mart_domains=("product",)),
            Section("Analyses", mart_domains=("analyses",)),
            Section("Reliability and data health tables", mart_domains=("reliability",)),
        ),
    ),
)
"""The four dashboards: executive, customer success, sales, product."""


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its dataset, form data and the one query its saved query context runs."""

    key: str
    """Unique in the bundle: ``metric_<name>`` or ``table_<mart>`` (file name and uuid seed)."""
    title: str
    description: str
    table: str
    viz_type: str
    width: int
    params: dict[str, Any] = field(compare=False)
    query: dict[str, Any] = field(compare=False)

    def file(self, chart_uuid: str, dataset_uuid: str) -> dict[str, Any]:
        """The chart's YAML content (datasource ids are placeholders Superset replaces on import)."""
        form_data = {**self.params, "datasource": "0__table", "viz_type": self.viz_type}
        query_context = {
            "datasource": {"id": 0, "type": "table"},
            "force": False,
            "queries": [self.query],
            "form_data": {**form_data, "force": False, "result_format": "json", "result_type": "full"},
            "result_format": "json",
            "result_type": "full",
        }
        return {
            "slice_name": self.title,
            "description": self.description,
            "certified_by": None,
            "certification_details": None,
            "viz_type": self.viz_type,
            "params": form_data,
            "query_context": json.dumps(query_context, sort_keys=True),
            "cache_timeout": None,
            "uuid": chart_uuid,
            "version": EXPORT_VERSION,
            "dataset_uuid": dataset_uuid,
        }


def in_metrics_daily(metric: Metric) -> bool:
    """Whether the metric lands in ``metrics_daily`` (its model is ``metrics_daily__<domain>``); otherwise it is a
    column of its mart."""
    return metric.model.startswith(METRICS_TABLE)


def charted_metrics(section: Section, catalog: Catalog) -> list[Metric]:
    """The metrics a metric section charts: its domains', up to its tier, daily and global."""
    by_domain = catalog.by_domain()
    return [
        metric
        for domain in section.metric_domains
        for metric in by_domain.get(domain, [])
        if metric.tier <= section.max_tier and in_metrics_daily(metric) and "global" in metric.grain
    ]


def dashboard_charts(
    spec: DashboardSpec, catalog: Catalog, marts: Sequence[BiTable]
) -> list[tuple[Section, list[ChartSpec]]]:
    """Each section of the dashboard with its charts."""
    placed = []
    for section in spec.sections:
        charts = [line_chart(metric) for metric in charted_metrics(section, catalog)]
        charts += [table_chart(mart) for mart in marts if mart.domain in section.mart_domains]
        placed.append((section, charts))
    return placed


def line_chart(metric: Metric) -> ChartSpec:
    """The metric's global daily value over ``metric_date``."""
    name = metric.name
    time_filter = {
        "clause": "WHERE",
        "comparator": "No filter",
        "expressionType": "SIMPLE",
        "operator": "TEMPORAL_RANGE",
        "subject": "metric_date",
        "filterOptionName": "filter_metric_date",
    }
    name_filter = {
        "clause": "WHERE",
        "comparator": name,
        "expressionType": "SIMPLE",
        "operator": "==",
        "subject": "metric_name",
        "filterOptionName": "filter_metric_name",
    }
    params: dict[str, Any] = {
        "x_axis": "metric_date",
        "time_grain_sqla": "P1D",
        "x_axis_sort_asc": True,
        "metrics": [name],
        "groupby": [],
        "adhoc_filters": [time_filter, name_filter],
        "order_desc": True,
        "row_limit": LINE_ROWS,
        "truncate_metric": True,
        "show_empty_columns": True,
        "comparison_type": "values",
        "annotation_layers": [],
        "seriesType": "line",
        "show_legend": False,
        "rich_tooltip": True,
        "x_axis_time_format": "smart_date",
        "tooltipTimeFormat": "smart_date",
        "y_axis_format": ".1%" if metric.unit == "ratio" else "SMART_NUMBER",
        "y_axis_title": metric.unit,
        "truncateYAxis": False,
        "y_axis_bounds": [None, None],
        "extra_form_data": {},
        "dashboards": [],
    }
    query = {
        "filters": [
            {"col": "metric_date", "op": "TEMPORAL_RANGE", "val": "No filter"},
            {"col": "metric_name", "op": "==", "val": name},
        ],
        "extras": {"having": "", "where": "", "time_grain_sqla": "P1D"},
        "applied_time_extras": {},
        "columns": [
            {
                "timeGrain": "P1D",
                "columnType": "BASE_AXIS",
                "sqlExpression": "metric_date",
                "label": "metric_date",
                "expressionType": "SQL",
            }
        ],
        "metrics": [name],
        "orderby": [[name, False]],
        "annotation_layers": [],
        "row_limit": LINE_ROWS,
        "series_columns": [],
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "time_offsets": [],
        "post_processing": [
            {
                "operation": "pivot",
                "options": {
                    "index": ["metric_date"],
                    "columns": [],
                    "aggregates": {name: {"operator": "mean"}},
                    "drop_missing_columns": False,
                },
            },
            {"operation": "flatten"},
        ],
    }
    return ChartSpec(
        key=f"metric_{name}",
        title=metric.label,
        description=metric.definition,
        table=METRICS_TABLE,
        viz_type="echarts_timeseries_line",
        width=LINE_WIDTH,
        params=params,
        query=query,
    )


def table_chart(mart: BiTable) -> ChartSpec:
    """The mart's rows (every column), newest first when it has a time column."""
    columns = [column.name for column in mart.columns]
    newest = next((name for name in columns if is_time_column(name)), None)
    order = [[newest, False]] if newest else []
    params: dict[str, Any] = {
        "query_mode": "raw",
        "groupby": [],
        "metrics": [],
        "all_columns": columns,
        "percent_metrics": [],
        "adhoc_filters": [],
        "order_by_cols": [f'["{newest}", false]'] if newest else [],
        "row_limit": TABLE_ROWS,
        "server_page_length": 10,
        "order_desc": True,
        "table_timestamp_format": "smart_date",
        "show_cell_bars": True,
        "color_pn": True,
        "include_search": True,
        "extra_form_data": {},
        "dashboards": [],
    }
    query = {
        "filters": [],
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": columns,
        "orderby": order,
        "annotation_layers": [],
        "row_limit": TABLE_ROWS,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "time_offsets": [],
        "post_processing": [],
    }
    return ChartSpec(
        key=f"table_{mart.name}",
        title=mart_title(mart),
        description=mart.description,
        table=mart.name,
        viz_type="table",
        width=GRID_COLUMNS,
        params=params,
        query=query,
    )


def mart_title(mart: BiTable) -> str:
    """``mart_customer_success_churn_risk`` -> ``Churn risk (mart_customer_success_churn_risk)``."""
    prefix = f"mart_{mart.domain}_" if mart.domain else "mart_"
    short = mart.name.removeprefix(prefix) if mart.name.startswith(prefix) else mart.name.removeprefix("mart_")
    return f"{short.replace('_', ' ').capitalize()} ({mart.name})"


def dashboard_file(
    spec: DashboardSpec,
    placed: list[tuple[Section, list[ChartSpec]]],
    uuid_of: Callable[[str, str], str],
    chart_ids: dict[str, int],
) -> dict[str, Any]:
    """The dashboard's YAML content: sections as headers, charts in rows of the grid."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": spec.title}},
    }
    grid: list[str] = []
    for number, (section, charts) in enumerate(placed, start=1):
        if not charts:
            continue
        header = f"HEADER-{number}"
        grid.append(header)
        position[header] = {
            "type": "HEADER",
            "id": header,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"text": section.title, "headerSize": "MEDIUM_HEADER", "background": "BACKGROUND_TRANSPARENT"},
        }
        for row_number, row in enumerate(_rows(charts), start=1):
            row_id = f"ROW-{number}-{row_number}"
            grid.append(row_id)
            position[row_id] = {
                "type": "ROW",
                "id": row_id,
                "children": [f"CHART-{chart.key}" for chart in row],
                "parents": ["ROOT_ID", "GRID_ID"],
                "meta": {"background": "BACKGROUND_TRANSPARENT"},
            }
            for chart in row:
                chart_id = f"CHART-{chart.key}"
                position[chart_id] = {
                    "type": "CHART",
                    "id": chart_id,
                    "children": [],
                    "parents": ["ROOT_ID", "GRID_ID", row_id],
                    "meta": {
                        "width": chart.width,
                        "height": CHART_HEIGHT,
                        "chartId": chart_ids[chart.key],
                        "uuid": uuid_of("chart", chart.key),
                        "sliceName": chart.title,
                    },
                }
    position["GRID_ID"] = {"type": "GRID", "id": "GRID_ID", "children": grid, "parents": ["ROOT_ID"]}
    return {
        "dashboard_title": spec.title,
        "description": spec.description,
        "css": "",
        "slug": spec.slug,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": uuid_of("dashboard", spec.slug),
        "position": position,
        "metadata": {
            "color_scheme": "",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "shared_label_colors": [],
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": False,
            "default_filters": "{}",
            "chart_configuration": {},
            "native_filter_configuration": [],
        },
        "version": EXPORT_VERSION,
    }


def _rows(charts: list[ChartSpec]) -> list[list[ChartSpec]]:
    """Charts in rows no wider than the grid."""
    rows: list[list[ChartSpec]] = []
    width = GRID_COLUMNS
    for chart in charts:
        if width + chart.width > GRID_COLUMNS:
            rows.append([])
            width = 0
        rows[-1].append(chart)
        width += chart.width
    return rows
