"""Every format carries exactly the contract columns, as text; output is deterministic."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vitals.contracts import EVENTS, NPS_RESPONSES, RAW_TABLES, SENTRY_ERRORS, STRIPE_BILLING
from vitals.generate import GenerateResult
from vitals.generate.runner import DOMAIN_SOURCES

from .conftest import connect, small_dataset


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_contract_columns_in_every_format(tmp_path: Path, fmt: str) -> None:
    result = small_dataset(tmp_path, orgs=3, days=14, fmt=fmt)
    core = (EVENTS, STRIPE_BILLING, SENTRY_ERRORS, NPS_RESPONSES)
    assert set(result.paths) == {t.name for t in (*core, *DOMAIN_SOURCES)}
    for name, path in result.paths.items():
        expected = RAW_TABLES[name].column_names
        assert path.name == f"{name}.{fmt}"
        if fmt == "csv":
            with path.open(newline="") as f:
                rows = list(csv.reader(f))
            assert rows[0] == expected
            assert all(len(row) == len(expected) for row in rows[1:])
            n = len(rows) - 1
        elif fmt == "parquet":
            schema = pq.read_schema(path)
            assert schema.names == expected
            assert all(field.type == pa.string() for field in schema)
            n = pq.read_metadata(path).num_rows
        else:
            lines = path.read_text().splitlines()
            objects = [json.loads(line) for line in lines]
            assert all(list(obj) == expected for obj in objects)
            assert all(value is None or isinstance(value, str) for obj in objects for value in obj.values())
            n = len(objects)
        assert n == result.rows[name] > 0


def test_formats_hold_the_same_rows(tmp_path: Path) -> None:
    results = {fmt: small_dataset(tmp_path / fmt, orgs=3, days=14, fmt=fmt) for fmt in ("csv", "parquet", "jsonl")}
    digests = set()
    for result in results.values():
        con = connect(result)
        digest = con.sql(
            "select count(*), count(distinct event_id), max(occurred_at), sum(length(coalesce(properties, ''))) from e"
        ).fetchone()
        digests.add(digest)
    assert len(digests) == 1


def _bytes(result: GenerateResult) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in result.paths.items()}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_same_arguments_give_identical_files(tmp_path: Path, fmt: str) -> None:
    first = small_dataset(tmp_path / "a", orgs=4, days=21, fmt=fmt)
    second = small_dataset(tmp_path / "b", orgs=4, days=21, fmt=fmt)
    assert _bytes(first) == _bytes(second)


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    first = small_dataset(tmp_path / "a", orgs=4, days=21)
    other = small_dataset(tmp_path / "b", orgs=4, days=21, seed=8)
    for name, content in _bytes(first).items():
        assert content != _bytes(other)[name]


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        small_dataset(tmp_path, fmt="xlsx")
    with pytest.raises(ValueError, match="orgs"):
        small_dataset(tmp_path, orgs=0)
