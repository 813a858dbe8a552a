"""The dbt project as a dbt user meets it: after `vitals dbt-profile`, plain `dbt build` passes on a vitals
warehouse, and the MetricFlow CLI answers the headline metrics from the semantic layer, equal to metrics_daily."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import cli_env
from tests.transform.transform_dataset import query
from vitals.cli import app
from vitals.config import Settings
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse.dbt import build

END = date(2026, 10, 20)
AS_OF = datetime(2026, 10, 21, 7, 30, 0)

MF = (
    "import sys, update_checker\n"
    "update_checker.UpdateChecker.check = lambda *args, **kwargs: None  # no call to the package index in tests\n"
    "from dbt_metricflow.cli.main import cli\n"
    "sys.exit(cli())\n"
)
"""`mf` as its console script runs it, less its check for a newer release."""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, dict[str, str]]:
    """A built warehouse (three months of billing) and the dbt project directory `vitals dbt-profile` writes."""
    directory = tmp_path_factory.mktemp("semantic")
    generate(directory / "data", orgs=6, days=75, seed=5, fmt="parquet", end=END, progress=False)
    settings = Settings(warehouse=directory / "w.duckdb", state_dir=directory / ".vitals")
    load_directory(settings, directory / "data", progress=False)
    build(settings, as_of=AS_OF, full_refresh=True, tests=False)
    env = {**os.environ, **cli_env(settings)}
    result = CliRunner().invoke(app, ["dbt-profile"], env=env)
    assert result.exit_code == 0, result.output
    project = settings.state_dir.resolve() / "dbt" / "project"
    assert f"cd {project}" in result.output and "mf query" in result.output
    dbt_env = {**env, "DBT_PROFILES_DIR": str(settings.state_dir.resolve() / "dbt")}
    return settings, project, dbt_env


def test_plain_dbt_build_passes(workspace: tuple[Settings, Path, dict[str, str]]) -> None:
    _, project, env = workspace
    dbt = Path(sys.executable).parent / "dbt"
    done = subprocess.run([str(dbt), "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "ERROR=0" in done.stdout and "assert_metrics_in_catalog" in done.stdout
    assert (project / "target" / "semantic_manifest.json").exists()


def test_metricflow_answers_mrr_by_month(workspace: tuple[Settings, Path, dict[str, str]]) -> None:
    settings, project, env = workspace
    out = project / "mrr.csv"
    command = [sys.executable, "-c", MF, "query", "--metrics", "mrr", "--group-by", "metric_time__month"]
    done = subprocess.run(
        [*command, "--csv", str(out)], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    with out.open() as handle:
        answered = {row["metric_time__month"][:7]: float(row["mrr"]) for row in csv.DictReader(handle)}

    # by hand from metrics_daily: the company's MRR on the last day of each month, in currency units
    rows = query(
        settings,
        "select strftime(metric_date, '%Y-%m') as month, value from metrics_daily d "
        "where metric_name = 'mrr_cents' and entity_type = 'global' and metric_date = ("
        "  select max(metric_date) from metrics_daily m "
        "  where date_trunc('month', m.metric_date) = date_trunc('month', d.metric_date))",
    )
    expected = {row["month"]: row["value"] / 100 for row in rows}
    assert len(expected) >= 3 and any(value > 0 for value in expected.values())
    assert answered.keys() == expected.keys()
    for month, value in expected.items():
        assert answered[month] == pytest.approx(value), month
