"""CSV exports neutralise cells a spreadsheet would run as formulas (a leading ' before =, +, -, @, tab, CR);
numbers, negative ones included, are untouched; ``?csv_formulas=keep`` gives programs the cells as stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyarrow as pa
import pytest

from tests.api.api_dataset import Api
from vitals.api.export import encode
from vitals.dashboard.datasets import Column, Table
from vitals.warehouse import open_warehouse

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1-2", "-x", "\t=1"]
METRIC = "zz_formula_probe"


def read(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def test_encode_prefixes_formula_text_but_not_numbers() -> None:
    batch = pa.record_batch(
        {
            "name": [*HOSTILE, "-12.5", "plain", None],
            "value": [-5.0, 1.0, -0.5, 2.0, 3.0, -7.0, 8.0, None],
        }
    )
    safe = read(b"".join(encode(iter([batch]), "csv")))
    assert [row[0] for row in safe[1:]] == [*("'" + h for h in HOSTILE), "-12.5", "plain", ""]
    assert [row[1] for row in safe[1:]] == ["-5", "1", "-0.5", "2", "3", "-7", "8", ""]
    kept = read(b"".join(encode(iter([batch]), "csv", keep_formulas=True)))
    assert [row[0] for row in kept[1:]] == [*HOSTILE, "-12.5", "plain", ""]


@pytest.fixture
def probe_rows(duck_api: Api) -> Iterator[None]:
    """Rows of metrics_daily whose entity_id is hostile text (removed afterwards)."""
    with open_warehouse(duck_api.settings) as wh:
        for text in HOSTILE:
            wh.execute(
                f"insert into {wh.core_schema}.metrics_daily (metric_date, metric_name, domain, entity_type, "
                "entity_id, value, tier) values (date '2026-01-01', ?, 'kpi', 'org', ?, -5, 1)",
                [METRIC, text],
            )
    try:
        yield
    finally:
        with open_warehouse(duck_api.settings) as wh:
            wh.execute(f"delete from {wh.core_schema}.metrics_daily where metric_name = ?", [METRIC])


@pytest.mark.usefixtures("probe_rows")
def test_the_export_route_neutralises_unless_asked_to_keep(duck_api: Api) -> None:
    headers = duck_api.headers("analyst")
    url = f"/api/v1/export/metrics_daily.csv?metric_name={METRIC}"
    safe = read(duck_api.client.get(url, headers=headers).content)
    column = safe[0].index("entity_id")
    assert sorted(row[column] for row in safe[1:]) == sorted("'" + h for h in HOSTILE)
    assert {row[safe[0].index("value")] for row in safe[1:]} == {"-5"}

    kept = duck_api.client.get(url + "&csv_formulas=keep", headers=headers)
    assert kept.status_code == 200, kept.text
    assert sorted(row[column] for row in read(kept.content)[1:]) == sorted(HOSTILE)
    bad = duck_api.client.get(url + "&csv_formulas=maybe", headers=headers)
    assert bad.status_code == 422


def test_dashboard_csv_downloads_neutralise_formula_cells() -> None:
    table = Table(
        id="orgs",
        title="Orgs",
        columns=[Column("org_name", "Org"), Column("mrr_cents", "MRR", "cents"), Column("delta", "Change")],
        rows=[{"org_name": HOSTILE[0], "mrr_cents": -1500, "delta": "-3"}, {"org_name": "Acme", "mrr_cents": 10}],
    )
    assert read(table.csv().encode()) == [
        ["org_name", "mrr_cents", "delta"],
        ["'" + HOSTILE[0], "-1500", "-3"],
        ["Acme", "10", ""],
    ]
