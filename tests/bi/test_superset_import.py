"""Apache Superset imports the generated bundle over the snapshot of a built warehouse, and every chart's saved
query, run through Superset's chart data API, returns rows.

Superset runs from its own virtual environment (``superset_env``: installed once, then reused), over a SQLite
metadata database in the test's temporary directory, served on a loopback port and stopped at the end.
``make test-superset`` runs this module alone; ``make test`` runs it with the rest of the suite.
"""

from __future__ import annotations

from pathlib import Path

from tests.alerts.generated import Built
from tests.bi.superset_env import Superset, SupersetApi, superset_venv
from vitals.bi.snapshot import snapshot_path
from vitals.bi.superset import sqlalchemy_uri, write_superset_bundle
from vitals.config import Settings


def test_superset_imports_the_bundle_and_every_chart_returns_rows(bi_built: Built, tmp_path: Path) -> None:
    venv = superset_venv()
    snapshot = snapshot_path(Settings(warehouse=bi_built.warehouse))
    assert snapshot.exists(), "the build did not publish the snapshot"
    bundle = write_superset_bundle(tmp_path / "vitals-superset.zip", sqlalchemy_uri(snapshot))
    expected_charts = {chart["slice_name"]: chart for chart in bundle.of_kind("charts").values()}

    superset = Superset(venv, tmp_path / "superset")
    superset.initialize()
    superset.cli("import-dashboards", "-p", str(tmp_path / "vitals-superset.zip"), "-u", "admin")

    with superset.serving() as url:
        api = SupersetApi(url)
        try:
            dashboards = {d["dashboard_title"] for d in api.listing("dashboard")}
            assert dashboards == {d["dashboard_title"] for d in bundle.of_kind("dashboards").values()}
            datasets = {d["table_name"] for d in api.listing("dataset")}
            assert datasets == {d["table_name"] for d in bundle.of_kind("datasets").values()}
            charts = api.listing("chart")
            assert sorted(c["slice_name"] for c in charts) == sorted(expected_charts)

            empty, failed = [], []
            for chart in charts:
                response = api.client.get(f"/api/v1/chart/{chart['id']}/data/")
                if response.status_code != 200:
                    failed.append(f"{chart['slice_name']}: {response.status_code} {response.text[:500]}")
                    continue
                (result,) = response.json()["result"]
                saved = expected_charts[chart["slice_name"]]
                wanted = saved["params"].get("metrics") or []
                # rows, and for a metric chart at least one value of the metric (not only empty days)
                if not result["rowcount"] or any(all(row.get(m) is None for row in result["data"]) for m in wanted):
                    empty.append(chart["slice_name"])
            assert not failed, "charts whose query failed:\n" + "\n".join(failed)
            assert not empty, f"charts without rows: {empty}"
        finally:
            api.close()
