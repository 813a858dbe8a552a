"""The Superset bundle: a database, a dataset per mart and one for ``metrics_daily``, every catalog metric as a
Superset metric, and four dashboards (executive, customer success, sales, product), generated from the metric
catalog and the dbt project, never kept by hand.

The bundle is a Superset import ZIP (export format ``1.0.0``, ``type: Dashboard``): ``metadata.yaml``,
``databases/``, ``datasets/<database>/``, ``charts/`` and ``dashboards/`` YAML files under one root folder. Every
object has a uuid5 derived from its name, so the same catalog and project give the same bundle byte for byte,
and a re-import finds the objects it made before.

Where each catalog metric becomes a Superset metric: a metric that lands in ``metrics_daily`` (model
``metrics_daily__<domain>``) on the ``metrics_daily`` dataset, reading its global row (or summing/averaging its
org or provider rows when it has no global grain); a metric that is a mart column on that mart's dataset. Each
carries its catalog label and definition.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vitals.bi.superset_charts import (
    DASHBOARDS,
    EXPORT_VERSION,
    ChartSpec,
    dashboard_charts,
    dashboard_file,
    in_metrics_daily,
)
from vitals.bi.tables import METRICS_TABLE, BiTable, bi_tables, is_time_column
from vitals.errors import VitalsError
from vitals.metrics.catalog import Catalog, Metric, default_catalog

NAMESPACE = uuid.UUID("6f0b7a52-3d4e-5c1a-9b8e-2a7d4c6e1f30")
"""The uuid5 namespace of every object in the bundle."""

ROOT = "vitals_superset"
"""The folder every file of the ZIP sits in (Superset strips it on import)."""

SUMMED_UNITS = frozenset({"count", "cents"})
"""Units whose values add up across orgs or rows (a mart metric's aggregate is SUM); the others are averaged."""

METRICS_DAILY_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("metric_date", "DATE", True),
    ("metric_name", "VARCHAR", False),
    ("domain", "VARCHAR", False),
    ("entity_type", "VARCHAR", False),
    ("entity_id", "VARCHAR", False),
    ("value", "DOUBLE", False),
    ("tier", "INTEGER", False),
    ("computed_as_of", "TIMESTAMP", True),
    ("loaded_through", "TIMESTAMP", True),
)
"""``metrics_daily`` column by column: name, DuckDB type, whether it is a time column."""


class BundleError(VitalsError):
    """The catalog and the dbt project disagree: the message names the metrics' models that are missing."""


def object_uuid(kind: str, name: str) -> str:
    """The stable uuid of a bundle object (``kind`` database, dataset, chart or dashboard)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def sqlalchemy_uri(snapshot: Path) -> str:
    """The ``duckdb-engine`` URI that opens the snapshot read-only."""
    return f"duckdb:///{snapshot.resolve()}?access_mode=read_only"


@dataclass(frozen=True)
class Bundle:
    """The bundle's files (path inside the root folder -> content) and what they hold."""

    files: dict[str, dict[str, Any]]
    database_name: str

    def of_kind(self, folder: str) -> dict[str, dict[str, Any]]:
        """The files under ``folder`` (``databases``, ``datasets``, ``charts``, ``dashboards``)."""
        return {path: content for path, content in self.files.items() if path.startswith(folder + "/")}

    def to_zip(self) -> bytes:
        """The import ZIP, identical for identical content (sorted entries, fixed timestamps)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(self.files):
                info = zipfile.ZipInfo(f"{ROOT}/{path}", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, _yaml(self.files[path]))
        return buffer.getvalue()


def superset_bundle(
    uri: str, *, schema: str = "main", catalog: Catalog | None = None, database_name: str = "vitals"
) -> Bundle:
    """The bundle over the database at the SQLAlchemy ``uri`` (``sqlalchemy_uri(snapshot)`` for the DuckDB
    snapshot; a PostgreSQL warehouse's URI, with its ``schema``, for a shared warehouse)."""
    catalog = catalog or default_catalog()
    tables = [table for table in bi_tables() if table.kind in {"mart", "metrics"}]
    database_uuid = object_uuid("database", database_name)
    files: dict[str, dict[str, Any]] = {
        "metadata.yaml": {"version": EXPORT_VERSION, "type": "Dashboard"},
        f"databases/{database_name}.yaml": _database(database_name, database_uuid, uri),
    }
    metrics_by_table: dict[str, list[Metric]] = {}
    for metric in sorted(catalog.metrics.values(), key=lambda m: m.name):
        home = METRICS_TABLE if in_metrics_daily(metric) else metric.model
        metrics_by_table.setdefault(home, []).append(metric)
    table_names = {table.name for table in tables}
    homeless = sorted(name for name in metrics_by_table if name not in table_names)
    if homeless:
        raise BundleError(f"catalog metrics point at models that are neither a mart nor {METRICS_TABLE}: {homeless}")
    datasets: dict[str, str] = {}
    for table in tables:
        datasets[table.name] = object_uuid("dataset", table.name)
        files[f"datasets/{database_name}/{table.name}.yaml"] = _dataset(
            table, datasets[table.name], database_uuid, metrics_by_table.get(table.name, []), catalog, schema
        )
    charts: dict[str, ChartSpec] = {}
    for spec in DASHBOARDS:
        placed = dashboard_charts(spec, catalog, [t for t in tables if t.kind == "mart"])
        for _section, section_charts in placed:
            for chart in section_charts:
                charts.setdefault(chart.key, chart)
        files[f"dashboards/{spec.slug}.yaml"] = dashboard_file(spec, placed, object_uuid, _chart_ids(charts))
    for chart in charts.values():
        files[f"charts/{chart.key}.yaml"] = chart.file(object_uuid("chart", chart.key), datasets[chart.table])
    return Bundle(files=files, database_name=database_name)


def write_superset_bundle(
    out: Path, uri: str, *, schema: str = "main", catalog: Catalog | None = None, database_name: str = "vitals"
) -> Bundle:
    """Write the bundle's ZIP to ``out``; return the bundle."""
    bundle = superset_bundle(uri, schema=schema, catalog=catalog, database_name=database_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bundle.to_zip())
    return bundle


def _chart_ids(charts: dict[str, ChartSpec]) -> dict[str, int]:
    """A number per chart, for the dashboards' layout (Superset replaces them with its own ids on import)."""
    return {key: index for index, key in enumerate(charts, start=1)}


def _database(name: str, database_uuid: str, uri: str) -> dict[str, Any]:
    return {
        "database_name": name,
        "sqlalchemy_uri": uri,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "extra": {
            "allows_virtual_table_explore": True,
            "metadata_params": {},
            "engine_params": {},
            "schemas_allowed_for_csv_upload": [],
        },
        "uuid": database_uuid,
        "version": EXPORT_VERSION,
    }


def _dataset(
    table: BiTable, dataset_uuid: str, database_uuid: str, metrics: list[Metric], catalog: Catalog, schema: str
) -> dict[str, Any]:
    columns = _metrics_daily_columns(table) if table.kind == "metrics" else _mart_columns(table, catalog)
    time_columns = [column["column_name"] for column in columns if column["is_dttm"]]
    return {
        "table_name": table.name,
        "main_dttm_col": time_columns[0] if time_columns else None,
        "description": table.description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": schema,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": dataset_uuid,
        "metrics": [_metric(metric, table) for metric in metrics],
        "columns": columns,
        "version": EXPORT_VERSION,
        "database_uuid": database_uuid,
    }


def _metrics_daily_columns(table: BiTable) -> list[dict[str, Any]]:
    described = {column.name: column.description for column in table.columns}
    return [
        _column(name, described.get(name, ""), kind, is_dttm, None) for name, kind, is_dttm in METRICS_DAILY_COLUMNS
    ]


def _mart_columns(table: BiTable, catalog: Catalog) -> list[dict[str, Any]]:
    found = []
    for column in table.columns:
        metric = catalog.metrics.get(column.name)
        label = metric.label if metric is not None else None
        found.append(_column(column.name, column.description, None, is_time_column(column.name), label))
    return found


def _column(name: str, description: str, kind: str | None, is_dttm: bool, label: str | None) -> dict[str, Any]:
    return {
        "column_name": name,
        "verbose_name": label,
        "is_dttm": is_dttm,
        "is_active": True,
        "type": kind,
        "advanced_data_type": None,
        "groupby": True,
        "filterable": True,
        "expression": None,
        "description": description or None,
        "python_date_format": None,
        "extra": {},
    }


def _metric(metric: Metric, table: BiTable) -> dict[str, Any]:
    expression, how = _expression(metric, table)
    return {
        "metric_name": metric.name,
        "verbose_name": metric.label,
        "metric_type": None,
        "expression": expression,
        "description": f"{metric.definition} ({how}; unit: {metric.unit}; tier {metric.tier})",
        "d3format": ".1%" if metric.unit == "ratio" else None,
        "currency": None,
        "extra": {},
        "warning_text": None,
    }


def _expression(metric: Metric, table: BiTable) -> tuple[str, str]:
    """The metric's SQL over its dataset, and what it takes."""
    aggregate = "SUM" if metric.unit in SUMMED_UNITS else "AVG"
    if table.kind != "metrics":
        how = "summed over the rows" if aggregate == "SUM" else "averaged over the rows"
        return f"{aggregate}({metric.name})", how
    if "global" in metric.grain:
        condition = f"metric_name = '{metric.name}' AND entity_type = 'global'"
        return f"MAX(CASE WHEN {condition} THEN value END)", "the global value"
    grain = metric.grain[0]
    condition = f"metric_name = '{metric.name}' AND entity_type = '{grain}'"
    how = f"{'summed' if aggregate == 'SUM' else 'averaged'} over the {grain} rows"
    return f"{aggregate}(CASE WHEN {condition} THEN value END)", how


def _yaml(content: dict[str, Any]) -> str:
    return yaml.safe_dump(content, sort_keys=True, allow_unicode=True, default_flow_style=False, width=120)


def chart_query_contexts(bundle: Bundle) -> Iterable[tuple[str, dict[str, Any]]]:
    """Each chart's name and parsed query context (what Superset runs for it)."""
    for chart in bundle.of_kind("charts").values():
        yield chart["slice_name"], json.loads(chart["query_context"])
