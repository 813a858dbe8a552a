"""The metrics layer on a generated set (DuckDB): the catalog covers every mart column and metric,
and an incremental build recomputes only the affected days yet equals a full rebuild."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.marts.subscription_dataset import land_story
from tests.transform.transform_dataset import event, land, query
from vitals.config import Settings
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.ingest.landing import UTC_TEXT_FORMAT
from vitals.metrics.catalog import default_catalog
from vitals.warehouse.dbt import PROJECT_DIR, build

END = date(2026, 10, 20)
T1 = datetime(2026, 10, 18, 20, 0, 0)
"""First build: 13:00 PDT on 2026-10-18."""
T2 = datetime(2026, 10, 21, 7, 30, 0)
"""Second build: 00:30 PDT on 2026-10-21 (all generated data visible)."""
T3 = datetime(2026, 10, 21, 8, 30, 0)
"""Third build, after a late event of 2026-10-15 landed."""
WHOLE_DOMAINS = frozenset({"sales", "marketing", "support"})
"""Domains rebuilt whole at every build (macro metrics_whole_domains): every day of theirs is recomputed."""


@dataclass
class Layer:
    settings: Settings
    directory: Path


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    directory = tmp_path_factory.mktemp("metrics-layer")
    generate(directory / "data", orgs=5, days=21, seed=11, fmt="parquet", end=END, progress=False)
    settings = Settings(warehouse=directory / "w.duckdb", state_dir=directory / "state")
    load_directory(settings, directory / "data", progress=False)
    land_story(settings)  # the generator writes no Stripe objects: subscription states, trials, failed payments
    build(settings, as_of=T1, full_refresh=True)
    yield Layer(settings, directory)


def mart_models() -> list[str]:
    return sorted(p.stem for p in (PROJECT_DIR / "models" / "marts").rglob("*.sql"))


def test_every_mart_column_is_in_the_catalog(layer: Layer) -> None:
    catalog = default_catalog()
    known = set(catalog.metrics) | set(catalog.dimensions)
    models = mart_models()
    assert models, "there are marts"
    for model in models:
        columns = query(
            layer.settings,
            f"select column_name from information_schema.columns where table_name = '{model}' "
            "and table_schema = 'main'",
        )
        assert columns, f"{model} was built"
        missing = sorted(c["column_name"] for c in columns if c["column_name"] not in known)
        assert not missing, f"{model}: columns without a catalog entry: {missing}"


def test_every_daily_metric_is_cataloged_and_computed(layer: Layer) -> None:
    catalog = default_catalog()
    names = {r["metric_name"] for r in query(layer.settings, "select distinct metric_name from metrics_daily")}
    assert names <= set(catalog.metrics), f"not in the catalog: {sorted(names - set(catalog.metrics))}"
    expected = {m.name for m in catalog.metrics.values() if m.model.startswith("metrics_daily__")}
    assert expected <= names, f"cataloged but never computed: {sorted(expected - names)}"
    for row in query(layer.settings, "select metric_name, domain, tier from metrics_daily group by 1, 2, 3"):
        metric = catalog.metrics[row["metric_name"]]
        assert (row["domain"], row["tier"]) == (metric.domain, metric.tier)
    last = query(layer.settings, "select max(metric_date) as d from metrics_daily")[0]["d"]
    assert last == date(2026, 10, 18), "no day after the as-of day"


def snapshot(settings: Settings) -> dict[tuple[object, ...], tuple[float | None, datetime]]:
    rows = query(
        settings,
        "select metric_date, metric_name, entity_type, entity_id, value, computed_as_of from metrics_daily",
    )
    return {
        (r["metric_date"], r["metric_name"], r["entity_type"], r["entity_id"]): (r["value"], r["computed_as_of"])
        for r in rows
    }


def assert_same_values(got: dict, expected: dict) -> None:  # type: ignore[type-arg]
    assert got.keys() == expected.keys()
    for key, (value, _) in expected.items():
        assert got[key][0] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_incremental_build_recomputes_only_affected_days(layer: Layer) -> None:
    settings = layer.settings
    whole = {m.name for m in default_catalog().metrics.values() if m.domain in WHOLE_DOMAINS}
    before = snapshot(settings)
    # as-of moves forward: days from T1's business day (2026-10-18) on are recomputed, earlier ones kept
    build(settings, as_of=T2)
    after = snapshot(settings)
    assert max(k[0] for k in after) == date(2026, 10, 21), "through the as-of business day"
    for key, (_, computed) in after.items():
        if key[1] in whole:
            assert computed == T2, key
            continue
        assert computed == (T1 if key[0] < date(2026, 10, 18) else T2), key
        if key[0] < date(2026, 10, 18):
            assert after[key] == before[key]
    # a late event of 2026-10-15 lands: from that day on everything is recomputed
    org = query(settings, "select org_id from organizations order by org_id limit 1")[0]["org_id"]
    provider = query(settings, f"select provider_id from providers where org_id = '{org}' limit 1")[0]["provider_id"]
    # after the first load, in the form vitals stamps `_loaded_at` (incremental builds compare it as text)
    landed = (datetime.now(UTC) + timedelta(minutes=1)).strftime(UTC_TEXT_FORMAT)
    late = event("late-1", "login", "2026-10-15 18:00:00", org=org, provider=provider, loaded_at=landed)
    land(settings, [late], [], [])
    build(settings, as_of=T3)
    third = snapshot(settings)
    for key, (_, computed) in third.items():
        assert computed == (T3 if key[1] in whole else T1 if key[0] < date(2026, 10, 15) else T3), key

    # and the result equals a full rebuild of the same data as of T3
    full = Settings(warehouse=layer.directory / "full.duckdb", state_dir=layer.directory / "state-full")
    shutil.copy(settings.warehouse, full.warehouse)
    build(full, as_of=T3, full_refresh=True)
    assert_same_values(third, snapshot(full))


def test_build_as_of_an_earlier_time_drops_later_days(layer: Layer) -> None:
    settings = Settings(warehouse=layer.directory / "back.duckdb", state_dir=layer.directory / "state-back")
    shutil.copy(layer.settings.warehouse, settings.warehouse)
    build(settings, as_of=T1 - timedelta(days=2))
    last = query(settings, "select max(metric_date) as d from metrics_daily")[0]["d"]
    assert last == date(2026, 10, 16)
