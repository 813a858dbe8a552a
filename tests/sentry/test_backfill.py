"""``backfill`` against a local server speaking Sentry's REST pagination (``Link`` header cursors)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import cli_env
from tests.sentry import sentry_data as d
from tests.sentry.fake_sentry import FakeSentry, serve
from tests.sentry.loopback import serving
from vitals.config import Settings
from vitals.ingest.errors import LoadError
from vitals.sentry import create_app
from vitals.sentry.backfill import backfill, parse_links
from vitals.sentry.webhook import PATH
from vitals.warehouse import open_warehouse

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
TOKEN = "sntrys_fake_token_123"
ORG, PROJECT = "acme", "backend"

EVENTS = [
    d.rest_event(f"{i:032x}", f"2026-05-0{i}T12:00:00Z", groupID=f"90{i % 2}")
    for i in range(1, 7)  # six events: three pages of two
]
EVENTS[0]["tags"] = [*EVENTS[0]["tags"], {"key": "org_id", "value": d.OB}, {"key": "provider_id", "value": d.PA}]
EVENTS[1]["dateCreated"] = "2026-05-02T12:00:00.250+02:00"  # the other ISO form
EVENTS[2]["user"] = {"id": "user-42", "email": "", "username": None, "ip_address": None, "name": None}
EVENTS[3]["release"] = {"version": "web@1.2.3", "shortVersion": "1.2.3"}


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "postgres":
        return d.make_settings(
            tmp_path, "postgres", request.getfixturevalue("pg_database"), project_org_map={PROJECT: d.OA}
        )
    return d.make_settings(tmp_path, project_org_map={PROJECT: d.OA})


@pytest.fixture
def fake() -> FakeSentry:
    return FakeSentry(TOKEN, ORG, PROJECT, EVENTS, page_size=2)


@pytest.fixture
def api_base(fake: FakeSentry) -> Iterator[str]:
    with serve(fake) as base:
        yield base


def rows(settings: Settings) -> list[dict[str, Any]]:
    names = ["event_id", "org_id", "provider_id", "project", "group_id", "level", "message", "culprit", "release",
             "environment", "user_id_raw", "created_at", "tags", "_ingest_source"]  # fmt: skip
    with open_warehouse(settings) as warehouse:
        found = warehouse.query(f"select {', '.join(names)} from raw.sentry_errors_big order by created_at")
    return [dict(zip(names, r, strict=True)) for r in found]


def test_every_page_is_loaded_and_a_rerun_loads_nothing(settings: Settings, fake: FakeSentry, api_base: str) -> None:
    report = backfill(settings, TOKEN, ORG, PROJECT, api_base=api_base, progress=False)
    # three pages, each asked with full=true, the second and third by the Link header's next cursor
    assert [q.get("cursor") for q in fake.requests] == [None, ["0:2:0"], ["0:4:0"]]
    assert all(q["full"] == ["true"] for q in fake.requests)
    stored = report.table("sentry_deliveries:events")
    assert (stored.rows_read, stored.rows_inserted) == (6, 6)
    assert report.table("sentry_errors_big").rows_inserted == 6
    landed = rows(settings)
    assert [r["event_id"] for r in landed] == [e["eventID"] for e in EVENTS]
    first, second, third, fourth = landed[:4]
    assert (first["org_id"], first["provider_id"]) == (d.OB, d.PA)  # from the tags
    assert {r["org_id"] for r in landed[1:]} == {d.OA}  # from the project map
    assert first["project"] == PROJECT and first["group_id"] == "901"
    assert first["level"] == "fatal" and first["environment"] == "production"  # from the tags
    assert first["message"] == "This is an example Python exception" and first["culprit"] == "/books/new/"
    assert first["release"] == "17642328ead24b51867165985996d04b29310337"  # the release tag
    assert fourth["release"] == "web@1.2.3"  # the full event's release object
    assert third["user_id_raw"] == "user-42"
    assert first["created_at"] == "2026-05-01 12:00:00.000000"
    assert second["created_at"] == "2026-05-02 10:00:00.250000"
    assert json.loads(first["tags"])["runtime"] == "CPython 2.7.16"  # {key, value} items -> one object
    assert {r["_ingest_source"] for r in landed} == {"sentry_api"}

    again = backfill(settings, TOKEN, ORG, PROJECT, api_base=api_base, progress=False)
    assert again.table("sentry_deliveries:events").rows_inserted == 0
    assert again.table("sentry_errors_big").rows_inserted == 0
    assert len(rows(settings)) == 6
    with open_warehouse(settings) as warehouse:
        loads = warehouse.query(
            "select source, rows_read, rows_inserted from raw._loads where table_name = 'sentry_deliveries' "
            "order by finished_at"
        )
    events_url = f"{api_base}/api/0/projects/acme/backend/events/"
    assert loads == [(events_url, 6, 6), (events_url, 6, 0)]


def test_a_webhook_copy_and_a_backfilled_copy_are_one_row(settings: Settings, api_base: str) -> None:
    payload = d.error_created(EVENTS[0]["eventID"])
    body = d.body_of(payload)
    with serving(create_app(settings)) as base:
        headers = {"Sentry-Hook-Signature": d.sign(body), "Sentry-Hook-Resource": "error"}
        assert httpx.post(base + PATH, content=body, headers=headers, timeout=30).status_code == 200
    backfill(settings, TOKEN, ORG, PROJECT, api_base=api_base, progress=False)
    landed = rows(settings)
    assert len(landed) == 6
    # the first stored copy (the webhook's) is the one landed
    assert [r["_ingest_source"] for r in landed if r["event_id"] == EVENTS[0]["eventID"]] == ["sentry_webhook"]


def test_since(settings: Settings, fake: FakeSentry, api_base: str) -> None:
    backfill(settings, TOKEN, ORG, PROJECT, since=date(2026, 5, 4), api_base=api_base, progress=False)
    assert fake.requests[0]["start"] == ["2026-05-04T00:00:00"] and "end" in fake.requests[0]
    assert [r["created_at"][:10] for r in rows(settings)] == ["2026-05-04", "2026-05-05", "2026-05-06"]


def test_retries_rate_limits(settings: Settings, fake: FakeSentry, api_base: str) -> None:
    fake.fail_next = [429, 503]
    report = backfill(settings, TOKEN, ORG, PROJECT, api_base=api_base, progress=False)
    assert report.table("sentry_errors_big").rows_inserted == 6


def test_errors_name_the_status_not_the_token(settings: Settings, api_base: str) -> None:
    with pytest.raises(LoadError) as caught:
        backfill(settings, "sntrys_wrong", ORG, PROJECT, api_base=api_base, progress=False)
    assert "401" in str(caught.value) and "Invalid token" in str(caught.value)
    assert "sntrys_wrong" not in str(caught.value)
    with pytest.raises(LoadError, match="404"):
        backfill(settings, TOKEN, ORG, "other", api_base=api_base, progress=False)


def test_parse_links() -> None:
    header = (
        '<https://sentry.io/api/0/projects/acme/backend/events/?&cursor=0:0:1>; rel="previous"; results="false"; '
        'cursor="0:0:1", <https://sentry.io/api/0/projects/acme/backend/events/?&cursor=0:100:0>; rel="next"; '
        'results="true"; cursor="0:100:0"'
    )
    links = parse_links(header)
    assert links["next"].cursor == "0:100:0" and links["next"].results is True
    assert links["previous"].results is False
    assert parse_links(None) == {} and parse_links("garbage") == {}


def test_cli(tmp_path: Path, api_base: str) -> None:
    from typer.testing import CliRunner

    from vitals.cli import app

    settings = d.make_settings(tmp_path)
    env = {**cli_env(settings), "VITALS_SENTRY__PROJECT_ORG_MAP": json.dumps({PROJECT: d.OA})}
    args = ["ingest", "sentry", "--token", TOKEN, "--org", ORG, "--project", PROJECT, "--api-base", api_base]
    result = CliRunner().invoke(app, [*args, "--since", "2026-05-05"], env=env)
    assert result.exit_code == 0, result.output
    assert "sentry_errors_big" in result.output
    assert [(r["event_id"], r["org_id"]) for r in rows(settings)] == [
        (EVENTS[4]["eventID"], d.OA),
        (EVENTS[5]["eventID"], d.OA),
    ]
    # the base URL also comes from the settings
    result = CliRunner().invoke(app, args[:-2], env={**env, "VITALS_SENTRY__API_BASE": api_base})
    assert result.exit_code == 0, result.output
    assert len(rows(settings)) == 6
    wrong = CliRunner().invoke(app, [*args[:3], "sntrys_wrong", *args[4:]], env=env)
    assert wrong.exit_code == 1
    assert "401" in wrong.output and "sntrys_wrong" not in wrong.output


def test_flatten_reads_the_bodies_in_chunks(settings: Settings, api_base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vitals.sentry.flatten._CHUNK", 4)  # six events: a chunk of four, then one of two
    report = backfill(settings, TOKEN, ORG, PROJECT, api_base=api_base, progress=False)
    assert (report.table("sentry_errors_big").rows_read, report.table("sentry_errors_big").rows_inserted) == (6, 6)
    assert [r["event_id"] for r in rows(settings)] == [e["eventID"] for e in EVENTS]
