"""``vitals ingest hubspot`` against a local server answering in HubSpot's JSON shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import cli_env, make_settings
from tests.hubspot import hubspot_data as d
from tests.hubspot.fake_hubspot import FakeHubSpot, serve
from vitals.cli import app
from vitals.config import Settings
from vitals.contracts import CRM_ACTIVITIES, CRM_DEALS, MARKETING_LEADS, RAW_TABLES, SUPPORT_TICKETS
from vitals.hubspot.api import RETRIES, HubSpotError
from vitals.hubspot.pull import pull
from vitals.warehouse import open_warehouse

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
TABLES = (CRM_DEALS.name, CRM_ACTIVITIES.name, MARKETING_LEADS.name, SUPPORT_TICKETS.name)
HUBSPOT = {"overlap_minutes": 0, "ticket_csat_property": "csat", "ticket_escalated_property": "escalated"}


def _settings(tmp_path: Path, engine: str = "duckdb", dsn: str | None = None, **hubspot: Any) -> Settings:
    return make_settings(engine, tmp_path, dsn, hubspot={**HUBSPOT, **hubspot})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def fake() -> FakeHubSpot:
    return d.portal()


@pytest.fixture
def api_base(fake: FakeHubSpot) -> Iterator[str]:
    with serve(fake) as base:
        yield base


def rows(settings: Settings, table: str, order: str | None = None) -> list[dict[str, Any]]:
    raw = RAW_TABLES[table]
    names = raw.column_names
    order = order or (f"{raw.key}, {raw.versioned_by}" if raw.versioned_by else raw.key)
    with open_warehouse(settings) as warehouse:
        found = warehouse.query(f"select {', '.join(names)} from raw.{table} order by {order}")
    return [dict(zip(names, row, strict=True)) for row in found]


def counts(settings: Settings) -> dict[str, int]:
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        return {t: int(warehouse.query(f"select count(*) from raw.{t}")[0][0]) for t in [*TABLES, "_cursors"]}


def cursors(settings: Settings) -> dict[str, str]:
    with open_warehouse(settings) as warehouse:
        found = warehouse.query("select source, max(cursor_value) from raw._cursors group by source")
    return {source.rsplit("/", 1)[-1]: value for source, value in found}


def pick(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


@pytest.mark.parametrize("engine", ENGINES)
def test_first_run_lands_every_contract_and_a_rerun_lands_nothing(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, fake: FakeHubSpot, api_base: str
) -> None:
    dsn = request.getfixturevalue("pg_database") if engine == "postgres" else None
    settings = _settings(tmp_path, engine, dsn)

    report = pull(settings, d.TOKEN, api_base=api_base, progress=False)

    deals = rows(settings, "crm_deals")
    won = [r for r in deals if r["deal_id"] == "1"]
    # one version per stage change, each dated by it and priced as of it, then the current state
    assert [pick(r, "stage", "updated_at", "amount_cents", "is_won", "closed_at") for r in won] == [
        ("appointmentscheduled", d.landed("05-01", "10:00:00"), "100000", "", None),
        ("qualifiedtobuy", d.landed("05-03"), "100000", "", None),
        ("closedwon", d.landed("05-10"), "150050", "true", d.landed("05-10")),
        ("closedwon", d.landed("05-10", "12:00:00"), "150050", "true", d.landed("05-10")),
    ]
    assert {pick(r, "org_id", "company_name", "company_domain", "owner_id", "pipeline", "currency") for r in won} == {
        (d.OA, "Mercy Clinic", "mercy.example", "111", "default", "USD")
    }
    assert {pick(r, "created_at", "expected_close_date", "source_channel", "_ingest_source") for r in won} == {
        (d.landed("05-01", "10:00:00"), "2026-05-10", "PAID_SEARCH", "hubspot")
    }
    assert all(r["_ingest_ts"] == r["updated_at"] for r in deals)
    prospect = [r for r in deals if r["deal_id"] == "2"]
    assert [pick(r, "org_id", "company_name", "stage", "is_won", "amount_cents") for r in prospect] == [
        ("", "Lakeside Health", "appointmentscheduled", "", "80000")
    ]
    lost = [r for r in deals if r["deal_id"] == "3"][-1]
    assert pick(lost, "stage", "is_won", "lost_reason", "closed_at") == (
        "closedlost",
        "false",
        "Price",
        d.landed("05-04"),
    )

    activities = rows(settings, "crm_activities")
    assert [pick(a, "activity_id", "kind", "deal_id", "org_id", "owner_id", "occurred_at") for a in activities] == [
        ("501", "call", "1", d.OA, "111", d.landed("05-02", "14:00:00")),
        ("502", "email", "1", d.OA, "111", d.landed("05-03", "14:00:00")),
        ("503", "meeting", "1", d.OA, "111", d.landed("05-04", "14:00:00")),
        ("504", "note", "1", d.OA, "111", d.landed("05-05", "14:00:00")),
    ]

    leads = rows(settings, "marketing_leads")  # the subscriber is not a lead
    assert [
        pick(lead, "lead_id", "created_at", "mql_at", "sql_at", "channel", "campaign", "deal_id", "org_id")
        for lead in leads
    ] == [
        ("301", d.landed("04-20", "08:00:00"), d.landed("04-25"), d.landed("05-01"), "PAID_SEARCH", "spring-launch",
         "1", d.OA),
    ]  # fmt: skip
    assert leads[0]["company_domain"] == "mercy.example"

    tickets = rows(settings, "support_tickets")
    assert [
        pick(
            t,
            "ticket_id",
            "status",
            "priority",
            "channel",
            "first_response_at",
            "resolved_at",
            "csat_score",
            "escalated",
        )
        for t in tickets
    ] == [
        ("401", "new", "high", "EMAIL", None, None, "", "false"),
        ("402", "closed", "normal", "CHAT", d.landed("05-09", "01:00:00"), d.landed("05-09", "17:00:00"), "4", "true"),
    ]
    assert {t["org_id"] for t in tickets} == {d.OA}

    assert cursors(settings) == {
        "deals": d.landed("05-10", "12:00:00"),
        "calls": d.landed("05-02", "15:00:00"),
        "emails": d.landed("05-03", "15:00:00"),
        "meetings": d.landed("05-04", "15:00:00"),
        "notes": d.landed("05-05", "15:00:00"),
        "contacts": d.landed("05-07"),
        "tickets": d.landed("05-09", "18:00:00"),
    }
    assert report.table("crm_deals").rows_inserted == len(deals) == 4 + 1 + 2
    assert "deals cursor hs_lastmodifieddate: (none) -> 2026-05-10T12:00:00.000000Z" in report.render()

    again = pull(settings, d.TOKEN, api_base=api_base, progress=False)
    assert again.rows_inserted == 0
    assert counts(settings)["crm_deals"] == len(deals)


def test_an_incremental_run_reads_only_what_changed_and_advances_the_cursor(
    settings: Settings, fake: FakeHubSpot, api_base: str
) -> None:
    pull(settings, d.TOKEN, api_base=api_base, progress=False)
    before = len(fake.requests)
    moved = d.deal("2", [("appointmentscheduled", d.iso("05-02", "09:00:00")), ("contractsent", d.iso("05-20"))],
                   d.iso("05-20", "08:00:00"), amount="900", closedate=d.iso("06-30"), hubspot_owner_id="112",
                   hs_analytics_source="ORGANIC_SEARCH")  # fmt: skip
    moved["propertiesWithHistory"]["amount"] = d.history(("800", d.iso("05-02", "09:00:00")), ("900", d.iso("05-20")))
    fake.add("deals", moved)
    fake.add(
        "tickets", d.obj("403", d.iso("05-21"), d.iso("05-21"), hs_pipeline_stage="3", hs_ticket_priority="URGENT")
    )
    fake.link("tickets", "403", "companies", "102")

    report = pull(settings, d.TOKEN, api_base=api_base, progress=False)

    later = fake.requests[before:]
    deal_search = next(q for q in later if q.path == "/crm/v3/objects/deals/search")
    bound = deal_search.body["filterGroups"][0]["filters"][0]
    assert (bound["propertyName"], bound["operator"], bound["value"]) == ("hs_lastmodifieddate", "GTE", "1778414400000")
    read = [i["id"] for q in later if q.path == "/crm/v3/objects/deals/batch/read" for i in q.body["inputs"]]
    assert read == ["1", "2"], "only deal 2 changed (deal 1 sits on the cursor itself); deal 3 is not read again"
    assert report.table("crm_deals").rows_inserted == 2  # deal 2's new stage, then its current state
    assert [pick(r, "stage", "amount_cents") for r in rows(settings, "crm_deals") if r["deal_id"] == "2"][-2:] == [
        ("contractsent", "90000"),
        ("contractsent", "90000"),
    ]
    ticket = [t for t in rows(settings, "support_tickets") if t["ticket_id"] == "403"]
    assert [pick(t, "status", "priority", "org_id") for t in ticket] == [("open", "urgent", "")]
    found = cursors(settings)
    assert (found["deals"], found["tickets"]) == (d.landed("05-20", "08:00:00"), d.landed("05-21"))
    assert found["calls"] == d.landed("05-02", "15:00:00"), "an object type with no change keeps its cursor"


def test_a_deleted_deal_lands_a_final_deleted_version(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    pull(settings, d.TOKEN, api_base=api_base, progress=False)
    fake.archive("deals", "3", d.iso("05-15", "07:30:00"))

    pull(settings, d.TOKEN, api_base=api_base, progress=False)

    versions = [r for r in rows(settings, "crm_deals") if r["deal_id"] == "3"]
    last = versions[-1]
    assert pick(last, "stage", "updated_at", "_ingest_ts", "is_won", "closed_at") == (
        "deleted",
        d.landed("05-15", "07:30:00"),
        d.landed("05-15", "07:30:00"),
        "",
        None,
    )
    # the rest of the final version is the deal's last landed version
    assert pick(last, "org_id", "company_name", "amount_cents", "owner_id") == (d.OA, "Mercy Clinic", "20000", "111")
    assert cursors(settings)["deals?archived=true"] == d.landed("05-15", "07:30:00")
    assert pull(settings, d.TOKEN, api_base=api_base, progress=False).rows_inserted == 0


def test_a_deal_deleted_before_the_first_pull_lands_from_the_archived_list(
    settings: Settings, fake: FakeHubSpot, api_base: str
) -> None:
    fake.archive("deals", "2", d.iso("05-05"))

    pull(settings, d.TOKEN, api_base=api_base, progress=False)

    found = [r for r in rows(settings, "crm_deals") if r["deal_id"] == "2"]
    assert [pick(r, "stage", "amount_cents", "owner_id", "updated_at") for r in found] == [
        ("deleted", "80000", "112", d.landed("05-05"))
    ]


def test_a_merged_deal_points_at_the_survivor(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    pull(settings, d.TOKEN, api_base=api_base, progress=False)
    # deals 1 and 3 are merged into a new deal 6, which HubSpot answers for both old ids
    survivor = d.deal(
        "6", [("closedwon", d.iso("05-12"))], d.iso("05-12", "06:00:00"), amount="1700", hs_merged_object_ids="1;3"
    )
    survivor["propertiesWithHistory"]["hs_merged_object_ids"] = d.history(("1;3", d.iso("05-12", "05:00:00")))
    fake.add("deals", survivor)
    fake.link("deals", "6", "companies", "101")
    for merged in ("1", "3"):
        fake.archive("deals", merged, d.iso("05-12", "05:00:00"))
        fake.merged_into[merged] = "6"

    pull(settings, d.TOKEN, api_base=api_base, progress=False)

    landed = rows(settings, "crm_deals")
    finals = {r["deal_id"]: r for r in landed}  # the newest version of each deal (rows are ordered by time)
    for merged in ("1", "3"):
        assert pick(finals[merged], "stage", "lost_reason", "updated_at") == (
            "merged",
            "merged_into:6",
            d.landed("05-12", "05:00:00"),
        ), "a merged deal is not 'deleted', though HubSpot lists it archived"
    assert finals["1"]["company_name"] == "Mercy Clinic"
    assert pick(finals["6"], "stage", "org_id", "amount_cents") == ("closedwon", d.OA, "170000")
    assert not [r for r in landed if r["stage"] == "deleted"]
    assert pull(settings, d.TOKEN, api_base=api_base, progress=False).rows_inserted == 0


def test_a_rate_limited_request_is_retried(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    fake.fail_next = [429, 429]

    report = pull(settings, d.TOKEN, api_base=api_base, progress=False)

    assert [q.path for q in fake.requests[:3]] == ["/crm/v3/objects/deals/search"] * 3
    assert report.table("crm_deals").rows_inserted == 7


def test_rate_limiting_that_does_not_end_fails_clearly(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    fake.fail_next = [429] * RETRIES

    with pytest.raises(HubSpotError, match="kept answering 429"):
        pull(settings, d.TOKEN, api_base=api_base, progress=False)

    assert len(fake.requests) == RETRIES
    assert counts(settings) == dict.fromkeys([*TABLES, "_cursors"], 0)


def test_every_page_is_read(tmp_path: Path, fake: FakeHubSpot, api_base: str) -> None:
    settings = _settings(tmp_path, page_size=2)
    for n in range(403, 406):
        fake.add("tickets", d.obj(str(n), d.iso("05-10", f"0{n - 400}:00:00"), d.iso("05-10"), hs_pipeline_stage="2"))

    report = pull(settings, d.TOKEN, api_base=api_base, progress=False)

    assert [q.body.get("after") for q in fake.searched("tickets")] == [None, "2", "4"]
    assert [t["ticket_id"] for t in rows(settings, "support_tickets")] == ["401", "402", "403", "404", "405"]
    assert report.table("support_tickets").rows_inserted == 5
    assert fake.read_ids("deals") == ["2", "3", "1"], "deals are read again with their history, oldest change first"


def test_a_bad_token_is_refused_clearly_and_lands_nothing(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    with pytest.raises(HubSpotError) as caught:
        pull(settings, "pat-na1-wrong", api_base=api_base, progress=False)

    message = str(caught.value)
    assert "401" in message and "VITALS_HUBSPOT_TOKEN" in message and "Authentication credentials" in message
    assert "pat-na1-wrong" not in message
    assert counts(settings) == dict.fromkeys([*TABLES, "_cursors"], 0)


def test_the_command_reads_the_token_from_the_environment(settings: Settings, fake: FakeHubSpot, api_base: str) -> None:
    env = {**cli_env(settings), "VITALS_HUBSPOT__TICKET_CSAT_PROPERTY": "csat"}
    runner = CliRunner()

    done = runner.invoke(
        app, ["ingest", "hubspot", "--api-base", api_base], env={**env, "VITALS_HUBSPOT_TOKEN": d.TOKEN}
    )
    refused = runner.invoke(
        app, ["ingest", "hubspot", "--api-base", api_base], env={**env, "VITALS_HUBSPOT_TOKEN": "x"}
    )

    assert done.exit_code == 0, done.output
    assert "crm_deals" in done.output and "support_tickets" in done.output
    assert refused.exit_code == 1
    assert "HubSpot refused the token (401)" in refused.output
    assert counts(settings)["support_tickets"] == 2
