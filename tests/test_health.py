"""`vitals health`: reading the customer-success marts and rendering score, band, components and move.

The warehouse holds the hand-built dataset of tests/marts/health_dataset.py, built as of D = 2026-06-30;
the expected scores are worked out in tests/marts/test_customer_success.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.marts.health_dataset import AS_OF, EVENTS, INVOICES, OA, OB, OC, OD, OE, P1, P2
from tests.transform.transform_dataset import engine_warehouse, land
from vitals.config import Settings
from vitals.health import HealthError, HealthLine, health_legend, health_report, health_table
from vitals.warehouse.dbt import build

D = date(2026, 6, 30)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"health-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land(settings, EVENTS, INVOICES, [])
        build(settings, as_of=AS_OF, select="+mart_customer_success_org_health +sessions")
        yield settings


def test_every_org_worst_first(built: Settings) -> None:
    lines = health_report(built, None)
    # OB 34.75 < OD 63 < OA 64.33 < OC 80; OE has no provider, so no score
    assert [line.entity_id for line in lines] == [OB, OD, OA, OC]
    ob = lines[0]
    assert (ob.entity_type, ob.name, ob.as_of, ob.band) == ("org", "Beta Health", D, "Critical")
    assert ob.score == pytest.approx(34.75)
    # P5's missing quality counts 0 in the org's component as in its points: mean(0.5, 0) = 0.25, 6.25 of 25
    assert ob.components["quality"] == pytest.approx(0.25)
    assert ob.points == pytest.approx({"engagement": 16, "quality": 6.25, "depth": 7.5, "reliability": 0, "latency": 5})
    assert ob.change_7d == pytest.approx(-28.25)
    assert ob.move == "down 28: quality −19, reliability −10, engagement +8"

    assert health_legend(lines).startswith("health as of 2026-06-30")
    table = health_table(lines)
    assert table[0] == (
        "Beta Health",
        *("34.8", "Critical", "0.40", "0.25", "0.50", "0.00", "0.50"),
        "down 28: quality −19, reliability −10, engagement +8",
    )
    gamma = next(row for row in table if row[0] == "Gamma Care")
    assert gamma[1:3] == ("80.0", "Healthy") and gamma[-1] == "no score 7 days earlier"


def test_one_org_with_its_providers(built: Settings) -> None:
    lines = health_report(built, f"  {OA.upper()} ")
    # the org, then its providers worst first: P2 58.67 (At risk), P1 70 (Neutral)
    assert [(line.entity_type, line.entity_id) for line in lines] == [("org", OA), ("provider", P2), ("provider", P1)]
    assert lines[0].move == "down 15: engagement −10, reliability −5"
    assert lines[2].move == "down 30: engagement −20, reliability −10"
    provider_row = next(row for row in health_table(lines) if P1 in row[0])
    assert provider_row[0] == f"provider {P1}"
    assert provider_row[1:8] == ("70.0", "Neutral", "0.50", "1.00", "1.00", "0.00", "1.00")


def test_unknown_or_invalid_org(built: Settings) -> None:
    with pytest.raises(HealthError, match=OE):
        health_report(built, OE)
    with pytest.raises(HealthError, match="must be an org UUID"):
        health_report(built, "x' or '1'='1")


def test_unbuilt_warehouse_says_to_build(tmp_path: Path) -> None:
    with engine_warehouse("duckdb", tmp_path) as settings:
        land(settings, [], [], [])
        with pytest.raises(HealthError, match="vitals build"):
            health_report(settings, None)


def test_render_marks_missing_components() -> None:
    line = HealthLine(
        entity_type="provider",
        entity_id=OD,
        name=OD,
        org_id=OC,
        as_of=D,
        score=0.0,
        band="Critical",
        components={"engagement": 0.0, "quality": None, "depth": 0.0, "reliability": None, "latency": None},
        points=dict.fromkeys(("engagement", "quality", "depth", "reliability", "latency"), 0.0),
        change_7d=None,
        move=None,
    )
    assert health_table([line])[0][1:8] == ("0.0", "Critical", "0.00", "-", "0.00", "-", "-")
    assert health_legend([]).startswith("no health scores yet")


def test_health_command_prints_scores_and_sentences(built: Settings) -> None:
    from typer.testing import CliRunner

    from vitals.cli import app

    result = CliRunner().invoke(app, ["health"], env=cli_env(built))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    beta = next(line for line in lines if line.startswith("Beta Health"))
    assert "34.8" in beta and "Critical" in beta
    # worst first: Beta Health is listed before every other org
    assert lines.index(beta) < min(i for i, line in enumerate(lines) if line.startswith(("Delta", "Alpha", "Gamma")))

    as_json = CliRunner().invoke(app, ["health", "--org", OB.upper(), "--format", "json"], env=cli_env(built))
    assert as_json.exit_code == 0, as_json.output
    import json

    rows = json.loads(as_json.output)
    assert rows[0]["entity_id"] == OB and rows[0]["band"] == "Critical"
    assert rows[0]["score"] == pytest.approx(34.75)
    assert {row["entity_type"] for row in rows[1:]} == {"provider"}


def test_health_command_rejects_a_bad_org(built: Settings) -> None:
    from typer.testing import CliRunner

    from vitals.cli import app

    result = CliRunner().invoke(app, ["health", "--org", "not-an-org"], env=cli_env(built))
    assert result.exit_code == 1
    assert "--org must be an org UUID" in result.output
