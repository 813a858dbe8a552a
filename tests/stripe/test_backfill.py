"""``backfill`` through the stripe SDK against a local server speaking Stripe's list protocol."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.stripe import stripe_data as d
from tests.stripe.fake_stripe import FakeStripe, serve
from vitals.ingest.errors import LoadError
from vitals.stripe.backfill import backfill
from vitals.stripe.flatten import flatten
from vitals.stripe.store import map_customers
from vitals.warehouse import open_warehouse

API_KEY = "sk_test_fake_key_123"
MONTH = ("2025-05-01 00:00:00", "2025-06-01 00:00:00")
YEAR = ("2025-04-10 00:00:00", "2026-04-10 00:00:00")

GROWTH = d.price("price_growth_m", "prod_growth", 7900, "month")
ENTERPRISE = d.price("price_ent_y", "prod_ent", 131580, "year")
ONBOARDING = d.price("price_onboard", "prod_growth", 50000, None)

A_LINES = [
    # 3 seats x 7900 = 23700 a month; a proration and a one-time fee do not count for MRR
    d.new_line("il_a1", "price_growth_m", "prod_growth", 3, 23700, MONTH, subscription_id="sub_A"),
    d.new_line("il_a2", "price_growth_m", "prod_growth", 1, 3950, MONTH, subscription_id="sub_A", proration=True),
    d.new_line("il_a3", "price_onboard", "prod_growth", 1, 50000, MONTH),
]
# the listed invoice embeds only its first line (lines.has_more): the backfill pages /v1/invoices/in_A1/lines
IN_A1 = {
    **d.new_invoice(
        "in_A1",
        "cus_A",
        "sub_A",
        A_LINES[:1],
        status="paid",
        created="2025-05-01 00:00:00",
        subtotal=77650,  # 23700 + 3950 + 50000
        tax=0,
        finalized_at="2025-05-01 00:10:00",
        paid_at="2025-05-01 00:20:00",
        has_more=True,
    ),
}
IN_B1 = d.new_invoice(
    "in_B1",
    "cus_B",
    "sub_B",
    # 2 x 131580 = 263160 a year -> 21930 a month (interval from the listed price)
    [d.new_line("il_b1", "price_ent_y", "prod_ent", 2, 263160, YEAR, subscription_id="sub_B", tax=21053)],
    status="paid",
    created="2025-04-10 00:00:00",
    subtotal=263160,
    tax=21053,
    finalized_at="2025-04-10 00:10:00",
    paid_at="2025-04-10 00:20:00",
)


def account() -> FakeStripe:
    return FakeStripe(
        API_KEY,
        {
            "prices": [GROWTH, ENTERPRISE, ONBOARDING],
            "customers": [
                d.customer("cus_A", "2025-04-20 00:00:00", org=d.OA),
                d.customer("cus_B", "2025-04-01 00:00:00"),
                d.customer("cus_old", "2024-06-01 00:00:00"),
            ],
            "subscriptions": [
                d.subscription("sub_A", "cus_A", "2025-05-01 00:00:00", [("si_A1", GROWTH, 3)], MONTH),
                # canceled at the end of its year: listed only with status=all
                d.subscription(
                    "sub_B",
                    "cus_B",
                    "2025-04-10 00:00:00",
                    [("si_B1", ENTERPRISE, 2)],
                    YEAR,
                    status="canceled",
                    canceled_at=d.epoch("2025-09-01 00:00:00"),
                    ended_at=d.epoch("2026-04-10 00:00:00"),
                ),
            ],
            "invoices": [IN_A1, IN_B1],
            "credit_notes": [{**d.credit_note("cn_A", "in_A1", 2000, "2025-05-03 00:00:00"), "customer": "cus_A"}],
            "refunds": [d.refund("re_other", "ch_unrelated", 999, "2025-05-04 00:00:00")],
        },
        invoice_lines={"in_A1": A_LINES},
        products={"prod_growth": d.product("prod_growth", "Growth"), "prod_ent": d.product("prod_ent", "Enterprise")},
    )


@pytest.fixture
def fake() -> FakeStripe:
    return account()


@pytest.fixture
def api_base(fake: FakeStripe) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def billing(settings: d.StripeTestSettings) -> dict[str, dict[str, Any]]:
    """The latest landed row per invoice (by _ingest_ts, then _loaded_at)."""
    with open_warehouse(settings) as warehouse:
        table = warehouse.query_arrow("select * from raw.stripe_billing_big order by _ingest_ts, _loaded_at")
    return {r["invoice_id"]: r for r in table.to_pylist()}


def test_backfill_lists_every_resource_and_flattens(fake: FakeStripe, api_base: str, tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path, page_size=2)
    report = backfill(settings, API_KEY, api_base=api_base, progress=False)
    read = {t.table: (t.rows_read, t.rows_inserted) for t in report.tables}
    assert read == {
        "stripe_objects:prices": (3, 3),
        "stripe_objects:customers": (3, 3),
        "stripe_objects:subscriptions": (2, 2),  # status=all: the canceled one too
        "stripe_objects:invoices": (2, 2),
        "stripe_objects:credit_notes": (1, 1),
        "stripe_objects:refunds": (1, 1),
        "stripe_billing_big": (2, 2),
        "stripe_subscription_items": (2, 2),
    }
    paths = [(p, q) for p, q in fake.requests]
    # pages of 2: customers took two requests, the second after the last id of the first (newest first:
    # cus_A Apr 20, cus_B Apr 1, then cus_old)
    customers = [q for p, q in paths if p == "/v1/customers"]
    assert [q.get("starting_after") for q in customers] == [None, ["cus_B"]]
    assert all(q["limit"] == ["2"] for q in customers)
    assert next(q for p, q in paths if p == "/v1/prices")["expand[0]"] == ["data.product"]
    assert next(q for p, q in paths if p == "/v1/subscriptions")["status"] == ["all"]
    # the invoice's lines were paged after the embedded one: il_a2 and il_a3 fill one page of 2
    lines = [q for p, q in paths if p == "/v1/invoices/in_A1/lines"]
    assert [q.get("starting_after") for q in lines] == [["il_a1"]]
    assert not any(p == "/v1/invoices/in_B1/lines" for p, _ in paths)

    rows = billing(settings)
    a, b = rows["in_A1"], rows["in_B1"]
    assert (a["org_id"], a["product"], a["quantity"], a["price_id"]) == (d.OA, "Growth", "3", "price_growth_m")
    assert a["mrr_cents"] == "23700"  # all 3 lines were fetched; only il_a1 is recurring revenue
    assert a["refunded_cents"] == "2000"  # cn_A; re_other refunds another charge
    assert a["status"] == "paid" and a["paid_at"] == "2025-05-01 00:20:00"
    assert a["_ingest_source"] == "stripe_backfill"
    assert (b["mrr_cents"], b["tax_cents"], b["product"]) == ("21930", "21053", "Enterprise")
    assert b["churn_flag"] == "true"  # sub_B ended at 2026-04-10, its period end
    assert b["org_id"] is None  # cus_B has no metadata and no mapping yet
    with open_warehouse(settings) as warehouse:
        (payload,) = warehouse.query("select payload from raw.stripe_objects where object_id = 'in_A1'")[0]
        loads = warehouse.query("select count(*) from raw._loads where source like 'http://127.0.0.1:%'")[0][0]
    assert payload.count('"object":"line_item"') == 3
    assert loads == 6


def test_rerun_stores_and_lands_nothing(api_base: str, tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path)
    backfill(settings, API_KEY, api_base=api_base, progress=False)
    again = backfill(settings, API_KEY, api_base=api_base, progress=False)
    assert again.rows_read == 12 + 4  # 12 objects, 2 invoice rows and 2 item rows flattened again
    assert again.rows_inserted == 0


def test_mapping_table_changes_the_org(api_base: str, tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path)
    backfill(settings, API_KEY, api_base=api_base, progress=False)
    before = billing(settings)["in_B1"]
    with open_warehouse(settings) as warehouse:
        map_customers(warehouse, {"cus_B": d.OB})
        report = flatten(warehouse, settings.stripe)
    assert report.table("stripe_billing_big").rows_inserted == 1  # only in_B1 changed
    after = billing(settings)["in_B1"]
    assert after["org_id"] == d.OB
    assert after["_ingest_ts"] == before["_ingest_ts"]  # same inputs' time; the later _loaded_at wins
    assert after["_loaded_at"] > before["_loaded_at"]


def test_since_limits_all_lists_but_prices(fake: FakeStripe, api_base: str, tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path)
    report = backfill(settings, API_KEY, since=date(2025, 4, 15), api_base=api_base, progress=False)
    read = {t.table: t.rows_read for t in report.tables}
    assert read["stripe_objects:prices"] == 3
    assert read["stripe_objects:customers"] == 1  # cus_A (Apr 20); cus_B (Apr 1) and cus_old are older
    assert read["stripe_objects:invoices"] == 1  # in_A1 (May 1); in_B1 was created Apr 10
    bound = [q["created[gte]"] for p, q in fake.requests if p == "/v1/customers"]
    assert bound == [[str(d.epoch("2025-04-15 00:00:00"))]]


def test_bad_api_key_is_a_load_error_without_the_key(api_base: str, tmp_path: Path) -> None:
    settings = d.make_settings(tmp_path)
    with pytest.raises(LoadError) as failure:
        backfill(settings, "sk_test_wrong_secret", api_base=api_base, progress=False)
    assert "sk_test_wrong_secret" not in str(failure.value)
    assert "Invalid API Key" in str(failure.value)


def test_cli_backfills_and_reports(api_base: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vitals.cli import app

    env = {"VITALS_WAREHOUSE": str(tmp_path / "cli.duckdb"), "VITALS_STATE_DIR": str(tmp_path / ".vitals")}
    args = ["ingest", "stripe", "--api-key", API_KEY, "--api-base", api_base, "--since", "2025-04-15"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "stripe_billing_big" in result.output
    with open_warehouse(d.make_settings(tmp_path).model_copy(update={"warehouse": tmp_path / "cli.duckdb"})) as wh:
        invoices = wh.query("select distinct invoice_id from raw.stripe_billing_big")
    assert invoices == [("in_A1",)]  # --since 2025-04-15 leaves in_B1 (Apr 10) out

    wrong = CliRunner().invoke(app, [*args[:3], "sk_test_wrong_secret", *args[4:]], env=env)
    assert wrong.exit_code == 1
    assert "Invalid API Key" in wrong.output and "sk_test_wrong_secret" not in wrong.output
