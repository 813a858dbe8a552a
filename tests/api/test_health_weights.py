"""Health weights set in the settings (or applied from a stored config version) reach the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.marts.metrics_dataset import AS_OF, ERRORS, EVENTS, INVOICES, OA
from tests.transform.transform_dataset import engine_warehouse, land, query
from vitals.api.config_store import EditableConfig, apply_config
from vitals.warehouse.dbt import build


def test_changed_weights_change_the_points(tmp_path: Path) -> None:
    with engine_warehouse("duckdb", tmp_path) as settings:
        config = EditableConfig(
            timezone=settings.timezone,
            health_weights={"engagement": 0.8, "quality": 0.25, "depth": 0.15, "reliability": 0.10, "latency": 0.10},
            alert_thresholds={},
        )
        weighted = apply_config(settings, config)
        assert weighted.dbt_vars()["health_weights"]["engagement"] == 0.8
        land(weighted, EVENTS, INVOICES, ERRORS)
        result = build(
            weighted, as_of=AS_OF, select="+mart_customer_success_org_health +organizations +providers +sessions"
        )
        assert result.success
        rows = query(
            weighted,
            "select * from {core}.mart_customer_success_org_health where metric_date = cast('2026-02-20' as date) "
            f"and org_id = '{OA}'",
        )
    row = rows[0]
    assert row["health_engagement_points"] == pytest.approx(100 * 0.8 / 1.4 * row["health_engagement"])
    assert row["health_quality_points"] == pytest.approx(100 * 0.25 / 1.4 * row["health_quality"])
