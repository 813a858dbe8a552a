"""Exports stream over a real HTTP server: chunked transfer, one chunk per batch, every row once; only
catalog marts; column=value filters; each export audited."""

from __future__ import annotations

import io

import httpx
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tests.api.api_dataset import OA, Api
from tests.sentry.loopback import serving
from vitals.api.app import create_app
from vitals.api.settings import ApiSettings
from vitals.warehouse import open_warehouse

BATCH_ROWS = 50


def _rows(api: Api, table: str, where: str = "") -> int:
    with open_warehouse(api.settings) as warehouse:
        return int(warehouse.query(f"select count(*) from {warehouse.core_schema}.{table} {where}")[0][0])


def test_exports_stream_in_chunks_with_every_row(duck_api: Api) -> None:
    settings = duck_api.settings.model_copy(update={"api": ApiSettings(export_batch_rows=BATCH_ROWS)})
    expected = _rows(duck_api, "metrics_daily")
    assert expected > 4 * BATCH_ROWS
    with serving(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        headers = duck_api.headers("analyst")
        for fmt in ("csv", "parquet"):
            with client.stream("GET", f"/api/v1/export/metrics_daily.{fmt}", headers=headers) as response:
                assert response.status_code == 200
                assert response.headers["transfer-encoding"] == "chunked"
                assert "content-length" not in response.headers
                chunks = list(response.iter_raw())
            body = b"".join(chunks)
            assert len(chunks) > expected // BATCH_ROWS // 2
            if fmt == "csv":
                table = pa_csv.read_csv(io.BytesIO(body))
                assert body.count(b'"metric_date"') == 1  # the header once
            else:
                parquet = pq.ParquetFile(io.BytesIO(body))
                assert parquet.metadata.num_row_groups == -(-expected // BATCH_ROWS)
                table = parquet.read()
            assert table.num_rows == expected


def test_filters_only_catalog_marts_and_the_audit(duck_api: Api) -> None:
    headers = duck_api.headers("analyst")
    filtered = duck_api.client.get(f"/api/v1/export/metrics_daily.csv?entity_id={OA}&metric_name=dad", headers=headers)
    table = pa_csv.read_csv(io.BytesIO(filtered.content))
    assert table.num_rows == _rows(duck_api, "metrics_daily", f"where entity_id = '{OA}' and metric_name = 'dad'")
    assert table.num_rows > 0
    bad_column = duck_api.client.get("/api/v1/export/metrics_daily.csv?password=x", headers=headers)
    assert bad_column.status_code == 400 and "password" in bad_column.json()["detail"]
    for mart in ("organizations", "raw_events", "stg_app__events"):
        assert duck_api.client.get(f"/api/v1/export/{mart}.csv", headers=headers).status_code == 404
    audit = duck_api.client.get(
        "/api/v1/audit", params={"token_name": "t-analyst", "action": "export.csv"}, headers=duck_api.headers("admin")
    ).json()
    targets = [entry["target"] for entry in audit["items"]]
    assert "metrics_daily" in targets
    entry = next(e for e in audit["items"] if e["detail"] == f"entity_id={OA}&metric_name=dad")
    assert entry["client"] and entry["role"] == "analyst"


def test_empty_exports_are_valid_files(duck_api: Api) -> None:
    headers = duck_api.headers("analyst")
    csv = duck_api.client.get("/api/v1/export/metrics_daily.csv?metric_name=none", headers=headers)
    assert csv.status_code == 200 and csv.content.startswith(b'"metric_date"')
    parquet = duck_api.client.get("/api/v1/export/metrics_daily.parquet?metric_name=none", headers=headers)
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 0 and "metric_name" in table.column_names
