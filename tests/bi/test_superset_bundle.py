"""The Superset bundle, generated from the catalog: valid YAML in Superset's import layout, every catalog metric a
Superset metric, stable uuids, and every reference (chart -> dataset, dashboard -> chart) resolved."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from vitals.bi.superset import ROOT, sqlalchemy_uri, superset_bundle, write_superset_bundle
from vitals.bi.superset_charts import DASHBOARDS
from vitals.bi.tables import METRICS_TABLE, marts
from vitals.cli import app
from vitals.metrics.catalog import default_catalog

SNAPSHOT = Path("/srv/bi/vitals.snapshot.duckdb")
URI = sqlalchemy_uri(SNAPSHOT)


def unzipped(data: bytes) -> dict[str, Any]:
    """Path (without the root folder) -> parsed YAML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert all(name.startswith(ROOT + "/") for name in names)
        return {name.removeprefix(ROOT + "/"): yaml.safe_load(archive.read(name)) for name in names}


def of_kind(files: dict[str, Any], folder: str) -> list[dict[str, Any]]:
    return [content for path, content in files.items() if path.startswith(folder + "/")]


def test_the_bundle_has_superset_s_import_layout() -> None:
    files = unzipped(superset_bundle(URI).to_zip())
    assert files["metadata.yaml"] == {"version": "1.0.0", "type": "Dashboard"}
    (database,) = of_kind(files, "databases")
    assert database["sqlalchemy_uri"] == f"duckdb:///{SNAPSHOT}?access_mode=read_only"
    assert database["allow_dml"] is False
    datasets = of_kind(files, "datasets")
    assert {d["table_name"] for d in datasets} == {m.name for m in marts()} | {METRICS_TABLE}
    assert all(path.startswith(f"datasets/{database['database_name']}/") for path in files if "dataset" in path)
    for content in files.values():
        if content.get("version"):
            assert content["version"] == "1.0.0"
    dashboards = of_kind(files, "dashboards")
    assert sorted(d["slug"] for d in dashboards) == sorted(spec.slug for spec in DASHBOARDS)
    assert {d["dashboard_title"] for d in dashboards} == {
        "vitals: Executive",
        "vitals: Customer success",
        "vitals: Sales",
        "vitals: Product",
    }


def test_every_catalog_metric_is_a_superset_metric_once_with_its_label_and_definition() -> None:
    catalog = default_catalog()
    files = unzipped(superset_bundle(URI).to_zip())
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for dataset in of_kind(files, "datasets"):
        for metric in dataset["metrics"]:
            assert metric["metric_name"] not in found, f"{metric['metric_name']} is on two datasets"
            found[metric["metric_name"]] = (dataset["table_name"], metric)
    assert set(found) == set(catalog.metrics)
    for name, (table, metric) in found.items():
        entry = catalog.metrics[name]
        assert metric["verbose_name"] == entry.label
        assert metric["description"].startswith(entry.definition)
        if entry.model.startswith(METRICS_TABLE):
            assert table == METRICS_TABLE
            assert f"metric_name = '{name}'" in metric["expression"]
        else:
            assert table == entry.model
            assert metric["expression"] in {f"SUM({name})", f"AVG({name})"}


def test_the_bundle_is_the_same_every_time_and_every_uuid_is_unique() -> None:
    first, second = superset_bundle(URI).to_zip(), superset_bundle(URI).to_zip()
    assert first == second
    files = unzipped(first)
    uuids = [content["uuid"] for content in files.values() if "uuid" in content]
    assert len(uuids) == len(set(uuids)) == len(files) - 1
    other = unzipped(superset_bundle(sqlalchemy_uri(Path("/elsewhere/x.duckdb"))).to_zip())
    assert [c.get("uuid") for c in other.values()] == [c.get("uuid") for c in files.values()]


def test_every_reference_resolves_and_every_dataset_is_charted() -> None:
    files = unzipped(superset_bundle(URI).to_zip())
    (database,) = of_kind(files, "databases")
    datasets = {d["uuid"]: d for d in of_kind(files, "datasets")}
    charts = {c["uuid"]: c for c in of_kind(files, "charts")}
    assert all(d["database_uuid"] == database["uuid"] for d in datasets.values())
    on_dashboards: set[str] = set()
    for dashboard in of_kind(files, "dashboards"):
        position = dashboard["position"]
        placed = [
            item["meta"]["uuid"] for item in position.values() if isinstance(item, dict) and item["type"] == "CHART"
        ]
        assert placed and set(placed) <= set(charts)
        for item in position.values():
            if isinstance(item, dict):
                for child in item.get("children", []):
                    assert child in position, f"{dashboard['slug']}: {child} is not in the layout"
        on_dashboards |= set(placed)
    assert on_dashboards == set(charts)
    # the dashboard import brings in only the datasets its charts use: every dataset needs a chart
    assert {c["dataset_uuid"] for c in charts.values()} == set(datasets)


def test_every_chart_saves_a_query_context_over_its_dataset_s_columns_and_metrics() -> None:
    files = unzipped(superset_bundle(URI).to_zip())
    datasets = {d["uuid"]: d for d in of_kind(files, "datasets")}
    for chart in of_kind(files, "charts"):
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        context = json.loads(chart["query_context"])
        (query,) = context["queries"]
        for column in query["columns"]:
            name = column["sqlExpression"] if isinstance(column, dict) else column
            assert name in columns, f"{chart['slice_name']}: no column {name}"
        assert set(query.get("metrics") or []) <= metrics, chart["slice_name"]
        assert set(chart["params"].get("metrics") or []) <= metrics
        if chart["viz_type"] == "echarts_timeseries_line":
            assert query["metrics"], chart["slice_name"]


def test_the_executive_dashboard_charts_the_headline_revenue_metrics() -> None:
    files = unzipped(superset_bundle(URI).to_zip())
    executive = files["dashboards/vitals-executive.yaml"]
    names = {
        item["meta"]["sliceName"]
        for item in executive["position"].values()
        if isinstance(item, dict) and item["type"] == "CHART"
    }
    assert {"MRR", "Net revenue retention", "Daily active doctors", "Health score"} <= names


def test_cli_writes_the_bundle_for_the_configured_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    env = {"VITALS_WAREHOUSE": str(tmp_path / "w.duckdb"), "VITALS_STATE_DIR": str(tmp_path / "state")}
    result = CliRunner().invoke(app, ["bi", "superset", str(out)], env=env)
    assert result.exit_code == 0, result.output
    (database,) = of_kind(unzipped(out.read_bytes()), "databases")
    assert database["sqlalchemy_uri"] == f"duckdb:///{tmp_path / 'w.snapshot.duckdb'}?access_mode=read_only"
    assert (
        write_superset_bundle(tmp_path / "again.zip", sqlalchemy_uri(tmp_path / "w.snapshot.duckdb")).to_zip()
        == out.read_bytes()
    )


def test_cli_writes_a_bundle_over_a_postgresql_warehouse(tmp_path: Path) -> None:
    out = tmp_path / "pg.zip"
    uri = "postgresql://bi_reader@db.example.internal/vitals"
    result = CliRunner().invoke(app, ["bi", "superset", str(out), "--uri", uri], env={"VITALS_ENGINE": "postgres"})
    assert result.exit_code == 0, result.output
    files = unzipped(out.read_bytes())
    (database,) = of_kind(files, "databases")
    assert database["sqlalchemy_uri"] == uri
    assert {d["schema"] for d in of_kind(files, "datasets")} == {"analytics"}


def test_the_superset_environment_reads_vitals_duckdb_files() -> None:
    root = Path(__file__).resolve().parents[2]

    def pins(path: Path) -> dict[str, str]:
        lines = [
            line.split("==") for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")
        ]
        return {name.strip().lower().replace("_", "-"): version.strip() for name, version in lines}

    superset = pins(Path(__file__).with_name("superset-requirements.txt"))
    assert superset["duckdb"] == pins(root / "requirements.lock")["duckdb"]
    assert superset["apache-superset"] == "6.1.0"
    assert "duckdb-engine" in superset
