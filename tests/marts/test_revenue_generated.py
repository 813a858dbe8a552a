"""The MRR bridge on a generated set (DuckDB): five months of orgs that sign up, grow, shrink and churn.

Checked here in Python, independently of the dbt test that guards the same identity at build time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from tests.transform.transform_dataset import query
from vitals.config import Settings
from vitals.generate import generate
from vitals.ingest.files import load_directory
from vitals.warehouse.dbt import build

END = date(2026, 9, 30)


def test_bridge_holds_for_every_org_and_month(tmp_path: Path) -> None:
    generate(tmp_path / "data", orgs=30, days=150, seed=5, fmt="parquet", end=END, progress=False)
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / "state")
    load_directory(settings, tmp_path / "data", progress=False)
    result = build(
        settings,
        as_of=datetime(2026, 10, 1, 7, 0, tzinfo=UTC),  # 2026-10-01 00:00 PDT: September is complete
        select="+mart_revenue_monthly +metrics_daily__revenue +organizations +providers +sessions",
    )
    assert result.success and not result.failures()

    orgs = query(settings, "select * from mart_revenue_movements_monthly order by org_id, month_start")
    assert orgs
    for row in orgs:
        moved = (
            row["start_mrr_cents"]
            + row["new_mrr_cents"]
            + row["expansion_mrr_cents"]
            + row["reactivation_mrr_cents"]
            - row["contraction_mrr_cents"]
            - row["churned_mrr_cents"]
        )
        assert moved == row["end_mrr_cents"], row
    # a month's start is the previous month's end, org by org
    previous: dict[str, int] = {}
    for row in orgs:
        assert row["start_mrr_cents"] == previous.get(row["org_id"], 0), row
        previous[row["org_id"]] = row["end_mrr_cents"]
    kinds = Counter(row["movement"] for row in orgs)
    assert kinds["new"] > 0 and kinds["churn"] + kinds["contraction"] > 0 and kinds["retained"] > 0, kinds

    months = query(settings, "select * from mart_revenue_monthly order by month_start")
    # September is complete; October is month to date (its one day, the as-of day)
    assert [(m["month_start"], m["last_day"]) for m in months][-2:] == [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 1)),
    ]
    for month in months:
        in_month = [r for r in orgs if r["month_start"] == month["month_start"]]
        for column in ("start_mrr_cents", "new_mrr_cents", "churned_mrr_cents", "end_mrr_cents"):
            assert month[column] == sum(r[column] for r in in_month), (month["month_start"], column)
        if month["grr"] is not None:
            assert 0 <= month["grr"] <= 1
            assert month["nrr"] >= 0
    # September's end is its last day's MRR; October's (month to date) is what organizations reports now
    total = query(settings, "select sum(mrr_cents) as mrr from organizations")[0]["mrr"]
    last_day = query(
        settings, "select sum(mrr_cents) as mrr from mart_revenue_mrr_daily where metric_date = '2026-09-30'"
    )
    assert months[-1]["end_mrr_cents"] == last_day[0]["mrr"]
    assert (
        total
        == query(settings, "select sum(mrr_cents) as mrr from mart_revenue_mrr_daily where metric_date = '2026-10-01'")[
            0
        ]["mrr"]
    )
