"""The metric catalog: read from the dbt project's manifest (metrics of the semantic layer and mart columns
marked as metrics), valid as shipped, and a broken entry is refused naming its YAML file."""

from __future__ import annotations

from typing import Any

import pytest

from vitals.metrics.catalog import CatalogError, default_catalog, load_catalog

SEMANTIC_FILE = "models/metrics/_kpi__semantic.yml"
MART_FILE = "models/marts/analyses/_analyses__models.yml"


def daily_metric(name: str = "dad", **meta: Any) -> dict[str, Any]:
    """A dbt metric of the semantic layer as the manifest holds it."""
    values = {
        "domain": "kpi",
        "grain": ["global", "org"],
        "unit": "count",
        "direction": "up",
        "tier": 1,
        "model": "metrics_daily__kpi",
    }
    values.update(meta)
    return {
        "name": name,
        "label": "Daily active doctors",
        "description": "Doctors with a successful job that day.",
        "original_file_path": SEMANTIC_FILE,
        "config": {"meta": values},
    }


def mart(columns: dict[str, dict[str, Any]], name: str = "mart_analyses_wap") -> dict[str, Any]:
    """A mart model node as the manifest holds it."""
    return {
        "name": name,
        "resource_type": "model",
        "original_file_path": f"models/marts/analyses/{name}.sql",
        "patch_path": f"vitals://{MART_FILE}",
        "columns": {key: {"name": key, **value} for key, value in columns.items()},
    }


WAP_COLUMN = {
    "description": "Providers with a successful job that week.",
    "config": {
        "meta": {
            "metric": {
                "label": "Weekly active providers",
                "domain": "analyses",
                "grain": ["org"],
                "unit": "count",
                "direction": "up",
                "tier": 1,
            }
        }
    },
}


def manifest(metrics: list[dict[str, Any]], nodes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "metrics": {f"metric.vitals.{m['name']}.{i}": m for i, m in enumerate(metrics)},
        "nodes": {f"model.vitals.{n['name']}.{i}": n for i, n in enumerate(nodes or [])},
    }


def test_shipped_catalog_is_valid_and_grouped() -> None:
    catalog = default_catalog()
    assert len(catalog.metrics) > 150, "the shipped catalog has its metrics"
    for domain, metrics in catalog.by_domain().items():
        assert all(m.domain == domain for m in metrics)
        assert [m.tier for m in metrics] == sorted(m.tier for m in metrics)
    assert catalog.metric("mrr_cents").model == "metrics_daily__revenue"
    assert catalog.metric("weekly_active_providers").model == "mart_analyses_weekly_active_providers"
    assert "org_id" in catalog.dimensions and "metric_date" in catalog.dimensions
    # the semantic layer's conveniences in currency units are not catalog metrics
    assert "mrr" not in catalog.metrics


def test_metrics_and_mart_columns_load() -> None:
    org_id = {"description": "The org."}
    undocumented = {"description": ""}
    catalog = load_catalog(
        manifest(
            [daily_metric(), {"name": "mrr", "label": "MRR", "description": "x", "config": {"meta": {}}}],
            [
                mart({"org_id": org_id, "weekly_active_providers": WAP_COLUMN, "scratch": undocumented}),
                {"name": "stg_app__events", "resource_type": "model", "original_file_path": "models/staging/x.sql"},
            ],
        )
    )
    assert set(catalog.metrics) == {"dad", "weekly_active_providers"}
    dad = catalog.metric("dad")
    assert (dad.domain, dad.grain, dad.tier, dad.definition) == (
        "kpi",
        ("global", "org"),
        1,
        "Doctors with a successful job that day.",
    )
    wap = catalog.metric("weekly_active_providers")
    assert (wap.model, wap.domain, wap.definition) == (
        "mart_analyses_wap",
        "analyses",
        "Providers with a successful job that week.",
    )
    assert set(catalog.dimensions) == {"org_id"}, "documented non-metric mart columns only"


def test_unknown_metric_suggests_close_names() -> None:
    catalog = load_catalog(manifest([daily_metric("dad"), daily_metric("dad_7d", model="metrics_daily__kpi")]))
    with pytest.raises(CatalogError, match=r"no metric named 'da'; did you mean dad, dad_7d"):
        catalog.metric("da")


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (daily_metric("Bad-Name"), "metric Bad-Name"),
        (daily_metric(unit="furlongs"), "unit"),
        (daily_metric(grain=["org", "org"]), "twice"),
        (daily_metric(domain="weather"), "domain"),
        (daily_metric(source="weather_feed"), "unknown optional source"),
        (daily_metric(colour="red"), "colour"),
    ],
)
def test_an_invalid_metric_is_refused_naming_its_file(metric: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError, match=message) as error:
        load_catalog(manifest([metric]))
    assert SEMANTIC_FILE in str(error.value)


def test_a_metric_defined_twice_is_refused_naming_both_files() -> None:
    twin = {**WAP_COLUMN, "config": {"meta": {"metric": {**WAP_COLUMN["config"]["meta"]["metric"]}}}}
    with pytest.raises(CatalogError, match=rf"{MART_FILE} \(mart_analyses_wap\): metric dad is already defined in "):
        load_catalog(manifest([daily_metric("dad")], [mart({"dad": twin})]))


def test_a_column_whose_metric_meta_is_not_a_mapping_is_refused() -> None:
    broken = {"description": "x", "config": {"meta": {"metric": "yes"}}}
    with pytest.raises(CatalogError, match=rf"{MART_FILE}: column wap: meta.metric must be a mapping"):
        load_catalog(manifest([], [mart({"wap": broken})]))
