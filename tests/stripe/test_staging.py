"""The Stripe staging models on DuckDB and PostgreSQL: stored webhook events (out of order, duplicated)
-> flatten -> stg_stripe__objects, stg_stripe__subscription_items and the existing stg_stripe__invoices."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.stripe import stripe_data as d
from vitals.stripe import store
from vitals.stripe.flatten import flatten
from vitals.stripe.tables import OBJECTS, SUBSCRIPTION_ITEMS
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
AS_OF = datetime(2026, 11, 2, 12, 0, 0)

SEP = ("2026-09-01 00:00:00", "2026-10-01 00:00:00")
OCT = ("2026-10-01 00:00:00", "2026-11-01 00:00:00")
DEC = ("2026-12-01 00:00:00", "2027-01-01 00:00:00")
YEAR = ("2026-01-15 00:00:00", "2027-01-15 00:00:00")

GROWTH = {**d.price("price_growth_m", "prod_growth", 7900, "month"), "product": d.product("prod_growth", "Growth")}
ENTERPRISE = d.price("price_ent_y", "prod_ent", 131580, "year", shape=d.OLD)

SUB_A_SEP = d.subscription("sub_A", "cus_A", "2026-09-01 00:00:00", [("si_A1", GROWTH, 3)], SEP)
SUB_A_OCT = d.subscription("sub_A", "cus_A", "2026-09-01 00:00:00", [("si_A1", GROWTH, 5)], OCT)
SUB_B = d.subscription(
    "sub_B",
    "cus_B",
    "2026-01-15 00:00:00",
    [("si_B1", ENTERPRISE, 2)],
    YEAR,
    shape=d.OLD,
    status="canceled",
    ended_at=d.epoch("2026-06-01 00:00:00"),
)


def invoice(invoice_id: str, period: tuple[str, str], seats: int, status: str, *, paid: bool) -> dict[str, Any]:
    return d.new_invoice(
        invoice_id,
        "cus_A",
        "sub_A",
        [
            d.new_line(
                f"il_{invoice_id}",
                "price_growth_m",
                "prod_growth",
                seats,
                7900 * seats,
                period,
                subscription_id="sub_A",
            )
        ],
        status=status,
        created=period[0],
        subtotal=7900 * seats,
        tax=0,
        finalized_at=period[0],
        paid_at=period[0].replace("00:00:00", "01:00:00") if paid else None,
    )


EVENTS = [
    # objects the API backfill would also give; here all by webhook
    d.event(d.customer("cus_A", "2026-08-01 00:00:00", org=d.OA), "customer.created", "2026-08-01 00:00:00", "evt_c1"),
    d.event(d.customer("cus_B", "2026-01-10 00:00:00"), "customer.created", "2026-01-10 00:00:00", "evt_c2"),
    d.event(GROWTH, "price.created", "2026-08-01 00:00:00", "evt_p1"),
    # sub_A's October state (5 seats) arrives before its September state (3 seats)
    d.event(SUB_A_OCT, "customer.subscription.updated", "2026-10-01 00:00:00", "evt_s2"),
    d.event(SUB_A_SEP, "customer.subscription.created", "2026-09-01 00:00:00", "evt_s1"),
    d.event(SUB_B, "customer.subscription.deleted", "2026-06-01 00:00:00", "evt_s3"),
    d.event(invoice("in_sep", SEP, 3, "paid", paid=True), "invoice.paid", "2026-09-01 01:00:00", "evt_i1"),
    # October: paid is delivered first, then the earlier finalized state, then paid again (a duplicate)
    d.event(invoice("in_oct", OCT, 5, "paid", paid=True), "invoice.paid", "2026-10-01 01:00:00", "evt_i2"),
    d.event(invoice("in_oct", OCT, 5, "open", paid=False), "invoice.finalized", "2026-10-01 00:00:00", "evt_i3"),
    d.event(invoice("in_oct", OCT, 5, "paid", paid=True), "invoice.paid", "2026-10-01 01:00:00", "evt_i2"),
    # December's invoice was created after the as-of time: invisible to this build
    d.event(invoice("in_dec", DEC, 5, "draft", paid=False), "invoice.created", "2026-12-01 00:00:00", "evt_i4"),
]


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[d.StripeTestSettings]:
    from tests.conftest import fresh_pg_database

    directory = tmp_path_factory.mktemp(f"stripe-{request.param}")
    with pytest.MonkeyPatch.context() as patch, ExitStack() as stack:
        patch.setenv("VITALS_CONFIG", str(directory / "absent.toml"))
        if request.param == "postgres":
            settings = d.make_settings(directory, "postgres", stack.enter_context(fresh_pg_database()))
        else:
            settings = d.make_settings(directory)
        with open_warehouse(settings) as warehouse:
            store.ensure_tables(warehouse)
            for event in EVENTS:
                store.store_event(warehouse, json.dumps(event), event)
            store.map_customers(warehouse, {"cus_B": d.OB})
            flatten(warehouse, settings.stripe)
        build(
            settings,
            as_of=AS_OF,
            full_refresh=True,
            select="stg_stripe__objects +stg_stripe__subscription_items stg_stripe__invoices",
        )
        yield settings


def rows(settings: d.StripeTestSettings, sql: str) -> list[dict[str, Any]]:
    with open_warehouse(settings) as warehouse:
        return warehouse.query_arrow(sql).to_pylist()


def test_objects_current_state(built: d.StripeTestSettings) -> None:
    found = {
        r["object_id"]: r
        for r in rows(
            built,
            "select object_id, object_type, status, states, event_id, is_deleted from staging.stg_stripe__objects",
        )
    }
    # in_dec was created after the as-of time
    assert sorted(found) == ["cus_A", "cus_B", "in_oct", "in_sep", "price_growth_m", "sub_A", "sub_B"]
    # in_oct: two states (the duplicate delivery stored nothing); the paid one is current
    assert (found["in_oct"]["status"], found["in_oct"]["states"], found["in_oct"]["event_id"]) == ("paid", 2, "evt_i2")
    # sub_A: the October state (later period start) is current although it arrived first
    assert (found["sub_A"]["states"], found["sub_A"]["event_id"]) == (2, "evt_s2")
    assert (found["sub_B"]["status"], found["sub_B"]["is_deleted"]) == ("canceled", True)


def test_subscription_items(built: d.StripeTestSettings) -> None:
    found = {
        r["subscription_item_id"]: r
        for r in rows(
            built,
            "select subscription_item_id, org_id, subscription_status, quantity, billing_interval, product, currency, "
            "monthly_list_amount_cents, current_period_start from staging.stg_stripe__subscription_items",
        )
    }
    a, b = found["si_A1"], found["si_B1"]
    # sub_A's current state: 5 seats x 7900 = 39500 a month; the item's own period (new shape)
    assert (a["org_id"], a["quantity"], a["billing_interval"], a["product"], a["currency"]) == (
        d.OA,
        5,
        "month",
        "Growth",
        "USD",
    )
    assert a["monthly_list_amount_cents"] == pytest.approx(39500.0)
    assert a["current_period_start"] == datetime(2026, 10, 1)
    # sub_B (old shape, canceled): 2 x 131580 a year / 12 = 21930; org from the mapping table
    assert (b["org_id"], b["subscription_status"], b["billing_interval"]) == (d.OB, "canceled", "year")
    assert b["monthly_list_amount_cents"] == pytest.approx(21930.0)
    assert b["current_period_start"] == datetime(2026, 1, 15)  # the subscription's period (old shape)
    assert len(found) == 2


def test_invoices_flow_into_stg_stripe__invoices(built: d.StripeTestSettings) -> None:
    found = {
        r["invoice_id"]: r
        for r in rows(
            built,
            "select invoice_id, org_id, status, mrr_cents, quantity, is_expansion, product, period_start, paid_at, "
            "ingest_source from staging.stg_stripe__invoices",
        )
    }
    assert sorted(found) == ["in_oct", "in_sep"]  # in_dec's period starts after the as-of time
    sep, oct_ = found["in_sep"], found["in_oct"]
    assert (sep["org_id"], sep["status"], sep["mrr_cents"], sep["quantity"], sep["is_expansion"]) == (
        d.OA,
        "paid",
        23700,  # 3 x 7900
        3,
        False,
    )
    # October: paid (out-of-order finalized state ignored), 5 x 7900 = 39500, more seats than September
    assert (oct_["status"], oct_["mrr_cents"], oct_["quantity"], oct_["is_expansion"]) == ("paid", 39500, 5, True)
    assert oct_["paid_at"] == datetime(2026, 10, 1, 1, 0, 0)
    assert (oct_["product"], oct_["ingest_source"]) == ("Growth", "stripe_webhook")


MODELS = Path(__file__).resolve().parents[2] / "src" / "vitals" / "transform" / "models" / "staging" / "stripe"


def test_empty_source_columns_match_the_raw_tables() -> None:
    # the column lists the models fall back to (no Stripe table yet) are the raw tables' columns
    expected = {
        "stg_stripe__objects.sql": [name for name, _ in OBJECTS.columns],
        "stg_stripe__subscription_item_states.sql": [*SUBSCRIPTION_ITEMS.column_names, "_row_hash", "_loaded_at"],
    }
    for model, columns in expected.items():
        text = (MODELS / model).read_text()
        listed = text.split("stripe_raw_or_empty(", 1)[1].split("]", 1)[0]
        assert re.findall(r"'([a-z_]+)'", listed.split("[", 1)[1]) == columns, model


def test_models_build_before_any_stripe_data(tmp_path: Path) -> None:
    # a warehouse where no Stripe data was ever stored: the models build, empty
    settings = d.make_settings(tmp_path)
    build(settings, as_of=AS_OF, full_refresh=True, select="stg_stripe__objects +stg_stripe__subscription_items")
    assert rows(settings, "select count(*) as n from staging.stg_stripe__objects") == [{"n": 0}]
    assert rows(settings, "select count(*) as n from staging.stg_stripe__subscription_items") == [{"n": 0}]
