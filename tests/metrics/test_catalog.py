"""The metric catalog: the shipped files are valid, and a broken file is refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from vitals.metrics.catalog import CatalogError, default_catalog, load_catalog

METRIC = """
  - name: {name}
    label: Daily active doctors
    grain: [global, org]
    unit: count
    direction: up
    tier: 1
    definition: Doctors with a successful job that day.
    model: metrics_daily__kpi
"""


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)


def test_shipped_catalog_is_valid_and_grouped() -> None:
    catalog = default_catalog()
    assert catalog.metrics, "the shipped catalog has metrics"
    for domain, metrics in catalog.by_domain().items():
        assert all(m.domain == domain for m in metrics)
        assert [m.tier for m in metrics] == sorted(m.tier for m in metrics)
    var = catalog.dbt_var()
    assert set(var) == set(catalog.metrics)
    assert all(set(entry) == {"domain", "tier"} for entry in var.values())


def test_a_valid_file_loads(tmp_path: Path) -> None:
    write(
        tmp_path,
        "kpi.yml",
        "domain: kpi\ndimensions:\n  - name: org_id\n    description: The org.\nmetrics:" + METRIC.format(name="dad"),
    )
    catalog = load_catalog(tmp_path)
    metric = catalog.metric("dad")
    assert (metric.domain, metric.grain, metric.tier) == ("kpi", ("global", "org"), 1)
    assert set(catalog.dimensions) == {"org_id"}


def test_unknown_metric_suggests_close_names(tmp_path: Path) -> None:
    write(tmp_path, "kpi.yml", "domain: kpi\nmetrics:" + METRIC.format(name="dad") + METRIC.format(name="dad_7d"))
    with pytest.raises(CatalogError, match=r"no metric named 'da'; did you mean dad, dad_7d"):
        load_catalog(tmp_path).metric("da")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domain: kpi\nmetrics:" + METRIC.format(name="dad") + METRIC.format(name="dad"), "already defined"),
        ("domain: kpi\nmetrics:" + METRIC.format(name="Bad-Name"), "metric Bad-Name"),
        ("domain: kpi\nmetrics:" + METRIC.format(name="dad").replace("unit: count", "unit: furlongs"), "unit"),
        ("domain: kpi\nmetrics:" + METRIC.format(name="dad").replace("[global, org]", "[org, org]"), "twice"),
        ("domain: weather\nmetrics: []\n", "domain"),
        (
            "domain: kpi\nmetrics:" + METRIC.format(name="dad") + "\ndimensions:\n  - name: dad\n    description: x\n",
            "both",
        ),
        ("domain: kpi\nmetrics: [\n", "kpi.yml"),
    ],
)
def test_invalid_catalog_is_refused_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "kpi.yml", text)
    with pytest.raises(CatalogError, match=message) as error:
        load_catalog(tmp_path)
    assert "kpi.yml" in str(error.value)


def test_a_metric_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "domain: kpi\nmetrics:" + METRIC.format(name="dad"))
    write(tmp_path, "b.yml", "domain: product\nmetrics:" + METRIC.format(name="dad"))
    with pytest.raises(CatalogError, match=r"b.yml: metric dad is already defined in a.yml"):
        load_catalog(tmp_path)
