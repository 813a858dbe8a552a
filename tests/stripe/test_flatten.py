"""Flattening raw Stripe objects (both API shapes) into stripe_billing_big and subscription-item rows.

Pure Python: object states are handed to the flattener directly; the arithmetic is in the comments.
"""

from __future__ import annotations

from typing import Any

from tests.stripe import stripe_data as d
from vitals.stripe import objects as o
from vitals.stripe.flatten import Snapshot, invoice_rows, subscription_item_rows
from vitals.stripe.settings import StripeSettings

JAN = ("2025-01-01 00:00:00", "2025-02-01 00:00:00")
FEB = ("2025-02-01 00:00:00", "2025-03-01 00:00:00")
YEAR = ("2025-04-10 00:00:00", "2026-04-10 00:00:00")


def state(obj: dict[str, Any], at: str, via: str = "webhook", deleted: bool = False) -> o.ObjectState:
    """A stored state of ``obj`` produced at ``at``."""
    return o.ObjectState(
        object_id=obj["id"],
        object_type=obj["object"],
        state_ts=o.epoch_state_text(d.epoch(at)),
        object_ts=o.ts_text(o.object_epoch(obj)) or "",
        lifecycle_rank=o.lifecycle_rank(obj, deleted),
        received_via=via,
        event_id=None,
        payload=obj,
        deleted=deleted,
    )


# prices and products: Growth $79/seat/month (old shape, product expanded as the backfill asks);
# Enterprise $1,315.80/seat/year (= 12 x 129.00 x 0.85); a one-time onboarding fee
GROWTH = {
    **d.price("price_growth_m", "prod_growth", 7900, "month", shape=d.OLD),
    "product": d.product("prod_growth", "Growth"),
}
ENTERPRISE = d.price("price_ent_y", "prod_ent", 131580, "year")
ONBOARDING = d.price("price_onboard", "prod_onboard", 50000, None, shape=d.OLD)


def old_invoices() -> list[o.ObjectState]:
    """sub_A (customer cus_A, org OA by metadata): January with 3 seats, February with 5."""
    jan = d.old_invoice(
        "in_old_1",
        "cus_A",
        "sub_A",
        [
            # 3 seats x 7900 = 23700, less a 10% coupon = 2370
            d.old_line("il_1", GROWTH, 3, 23700, JAN, subscription_id="sub_A", discount=2370),
            # a proration (ignored for MRR) and a one-time fee (not recurring)
            d.old_line("il_2", GROWTH, 1, 7900, JAN, subscription_id="sub_A", proration=True),
            d.old_line("il_3", ONBOARDING, 1, 50000, JAN),
        ],
        status="paid",
        created="2025-01-01 00:00:00",
        subtotal=81600,  # 23700 + 7900 + 50000
        discount=2370,
        tax=7923,
        finalized_at="2025-01-01 00:30:00",
        paid_at="2025-01-01 01:00:00",
        charge="ch_1",
    )
    feb = d.old_invoice(
        "in_old_2",
        "cus_A",
        "sub_A",
        [d.old_line("il_4", GROWTH, 5, 39500, FEB, subscription_id="sub_A", discount=3950)],
        status="paid",
        created="2025-02-01 00:00:00",
        subtotal=39500,
        discount=3950,
        tax=0,
        finalized_at="2025-02-01 00:30:00",
        paid_at="2025-02-01 01:00:00",
    )
    return [state(jan, "2025-01-01 01:00:00"), state(feb, "2025-02-01 01:00:00")]


def new_invoice() -> o.ObjectState:
    """sub_B (customer cus_B, org OB through the mapping table): one year of 2 Enterprise seats, open."""
    inv = d.new_invoice(
        "in_new_1",
        "cus_B",
        "sub_B",
        # 2 x 131580 = 263160 a year; the interval comes from the price object (year)
        [d.new_line("il_n1", "price_ent_y", "prod_ent", 2, 263160, YEAR, subscription_id="sub_B", tax=21053)],
        status="open",
        created="2025-04-10 00:00:00",
        subtotal=263160,
        tax=21053,
        finalized_at="2025-04-10 00:10:00",
    )
    return state(inv, "2025-04-10 00:10:00")


def snapshot(*extra: o.ObjectState) -> Snapshot:
    sub_b = d.subscription(
        "sub_B", "cus_B", "2025-04-10 00:00:00", [("si_B1", ENTERPRISE, 2)], YEAR, cancel_at_period_end=True
    )
    states = [
        *old_invoices(),
        new_invoice(),
        state(d.customer("cus_A", "2024-12-01 00:00:00", org=d.OA), "2024-12-01 00:00:00", via="backfill"),
        state(d.customer("cus_B", "2025-04-01 00:00:00"), "2025-04-01 00:00:00"),
        state(sub_b, "2025-04-10 00:00:00"),
        state(GROWTH, "2024-01-01 00:00:00", via="backfill"),
        state(ENTERPRISE, "2024-01-01 00:00:00", via="backfill"),
        state(d.product("prod_ent", "Enterprise"), "2024-01-01 00:00:00", via="backfill"),
        # credit notes of in_old_1: 5000 issued (through refund re_2), 1000 voided (ignored)
        state(d.credit_note("cn_1", "in_old_1", 5000, "2025-01-05 00:00:00", refund="re_2"), "2025-01-05 00:00:00"),
        state(d.credit_note("cn_2", "in_old_1", 1000, "2025-01-06 00:00:00", status="void"), "2025-01-06 00:00:00"),
        # refunds of its charge ch_1: re_1 directly (3000), re_2 through cn_1 (not counted twice)
        state(d.refund("re_1", "ch_1", 3000, "2025-01-07 00:00:00"), "2025-01-07 00:00:00"),
        state(d.refund("re_2", "ch_1", 5000, "2025-01-05 00:00:00"), "2025-01-05 00:00:00"),
        *extra,
    ]
    return Snapshot.of(states)


def rows_by_id(snap: Snapshot, settings: StripeSettings | None = None, table: dict[str, str] | None = None) -> dict:
    rows = invoice_rows(snap, settings or StripeSettings(), table if table is not None else {"cus_B": d.OB})
    return {r["invoice_id"]: r for r in rows}


def test_old_shape_invoice_row() -> None:
    row = rows_by_id(snapshot())["in_old_1"]
    assert row == {
        "invoice_id": "in_old_1",
        "org_id": d.OA,  # cus_A's metadata.org_id
        "customer_id": "cus_A",
        "subscription_id": "sub_A",
        "price_id": "price_growth_m",
        "product": "Growth",  # the price's expanded product
        "currency": "usd",
        "period_start": "2025-01-01 00:00:00",  # the subscription line's period
        "period_end": "2025-02-01 00:00:00",
        "amount_cents": "87153",  # 81600 - 2370 + 7923
        "subtotal_cents": "81600",
        "tax_cents": "7923",
        "discount_cents": "2370",
        "quantity": "3",
        "status": "paid",
        "paid_at": "2025-01-01 01:00:00",
        "refunded_cents": "8000",  # cn_1 5000 + re_1 3000 (re_2 is cn_1's refund; cn_2 is void)
        "mrr_cents": "21330",  # (23700 - 2370) / 1 month; proration and one-time lines excluded
        "churn_flag": "false",  # sub_A is not in the snapshot: no cancellation known
        "expansion_flag": "false",  # first invoice of sub_A
        "_ingest_source": "stripe_webhook",
        # newest state among the invoice (01:00 Jan 1), cus_A, credit note cn_1 (Jan 5), re_1 (Jan 7), price
        "_ingest_ts": "2025-01-07 00:00:00.000000",
    }


def test_expansion_is_more_seats_than_the_previous_invoice() -> None:
    row = rows_by_id(snapshot())["in_old_2"]
    assert row["quantity"] == "5"
    assert row["expansion_flag"] == "true"  # 5 seats after 3
    assert row["mrr_cents"] == "35550"  # 5 x 7900 = 39500, less 3950


def test_new_shape_invoice_row() -> None:
    row = rows_by_id(snapshot())["in_new_1"]
    assert row["org_id"] == d.OB  # from the mapping table (cus_B has no metadata)
    assert row["subscription_id"] == "sub_B"  # parent.subscription_details.subscription
    assert row["price_id"] == "price_ent_y"  # pricing.price_details.price
    assert row["product"] == "Enterprise"  # pricing.price_details.product -> the product object's name
    assert (row["period_start"], row["period_end"]) == ("2025-04-10 00:00:00", "2026-04-10 00:00:00")
    assert row["mrr_cents"] == "21930"  # 263160 a year / 12 (interval from the price: year, count 1)
    assert row["tax_cents"] == "21053"  # total_taxes
    assert row["amount_cents"] == "284213"  # 263160 + 21053
    assert row["quantity"] == "2"
    assert row["status"] == "open"
    assert row["paid_at"] is None
    # sub_B cancels at its period end, 2026-04-10, which is this invoice's period end
    assert row["churn_flag"] == "true"


def test_interval_count_and_week_normalization() -> None:
    # every 3 months: 30000 / 3 = 10000; every 2 weeks: 1000 x 52 / 12 / 2 = 2166.67 -> 2167
    quarterly = d.price("price_q", "prod_q", 30000, "month", 3)
    fortnight = d.price("price_w", "prod_w", 1000, "week", 2)
    inv = d.new_invoice(
        "in_new_2",
        "cus_B",
        "sub_B",
        [
            d.new_line("il_q", "price_q", "prod_q", 1, 30000, JAN, subscription_id="sub_B"),
            d.new_line("il_w", "price_w", "prod_w", 1, 1000, JAN, subscription_id="sub_B"),
        ],
        status="paid",
        created="2025-01-01 00:00:00",
        subtotal=31000,
        tax=0,
        paid_at="2025-01-01 00:00:00",
    )
    snap = snapshot(
        state(inv, "2025-01-01 00:00:00"),
        state(quarterly, "2024-01-01 00:00:00"),
        state(fortnight, "2024-01-01 00:00:00"),
    )
    row = rows_by_id(snap)["in_new_2"]
    assert row["mrr_cents"] == "12167"  # 10000 + 2166.67 = 12166.67, rounded half up
    assert row["price_id"] == "price_q"  # the line with the greatest monthly value


def test_unknown_price_falls_back_to_the_period_length() -> None:
    # price_unknown was never stored: the line's 1-year period makes it yearly: 120000 / 12 = 10000
    inv = d.new_invoice(
        "in_new_3",
        "cus_B",
        "sub_B",
        [d.new_line("il_u", "price_unknown", "prod_x", 1, 120000, YEAR, subscription_id="sub_B")],
        status="paid",
        created="2025-04-10 00:00:00",
        subtotal=120000,
        tax=0,
    )
    assert rows_by_id(snapshot(state(inv, "2025-04-10 00:00:00")))["in_new_3"]["mrr_cents"] == "10000"


def test_latest_state_wins_by_the_objects_own_timestamps() -> None:
    paid, open_ = old_invoices()[0].payload, old_invoices()[0].payload
    open_ = {**open_, "status": "open", "status_transitions": {**open_["status_transitions"], "paid_at": None}}
    # the open state arrives last and even carries a later event time (a retried delivery): the paid
    # state still wins because its paid_at (01:00) is later than the open state's finalized_at (00:30)
    snap = snapshot(state(open_, "2025-01-01 02:00:00"))
    assert rows_by_id(snap)["in_old_1"]["status"] == "paid"
    assert paid["status"] == "paid"


def test_same_second_states_are_ordered_by_status() -> None:
    # finalized and paid in the same second: same object time, the status rank (open 1 < paid 3) decides
    inv = old_invoices()[0].payload
    same = {**inv, "status_transitions": {**inv["status_transitions"], "finalized_at": d.epoch("2025-01-01 01:00:00")}}
    opened = {**same, "status": "open", "status_transitions": {**same["status_transitions"], "paid_at": None}}
    latest = o.latest_states([state(same, "2025-01-01 01:00:00"), state(opened, "2025-01-01 01:00:00")])
    assert latest["in_old_1"].payload["status"] == "paid"


def test_org_mapping_precedence() -> None:
    snap = snapshot()
    # settings map > table > metadata: cus_A has metadata OA; the table says OB; the settings say OC
    assert rows_by_id(snap, table={"cus_A": d.OB})["in_old_1"]["org_id"] == d.OB
    settings = StripeSettings(customer_org_map={"cus_A": d.OC})
    assert rows_by_id(snap, settings, table={"cus_A": d.OB})["in_old_1"]["org_id"] == d.OC
    # an unmapped customer without metadata: no org
    assert rows_by_id(snap, table={})["in_new_1"]["org_id"] is None


def test_deleted_draft_invoice_is_void() -> None:
    inv = d.new_invoice("in_draft", "cus_B", None, [], status="draft", created="2025-05-01 00:00:00", subtotal=0, tax=0)
    snap = snapshot(state(inv, "2025-05-01 00:00:00"), state(inv, "2025-05-02 00:00:00", deleted=True))
    row = rows_by_id(snap)["in_draft"]
    assert row["status"] == "void"
    assert (row["period_start"], row["mrr_cents"], row["price_id"]) == ("2025-05-01 00:00:00", "0", None)


def test_subscription_item_rows_both_shapes() -> None:
    old_sub = d.subscription("sub_A", "cus_A", "2025-01-01 00:00:00", [("si_A1", GROWTH, 3)], JAN, shape=d.OLD)
    new_sub = d.subscription("sub_B", "cus_B", "2025-04-10 00:00:00", [("si_B1", ENTERPRISE, 2)], YEAR)
    snap = Snapshot.of(
        [
            state(old_sub, "2025-01-01 00:00:00"),
            state(new_sub, "2025-04-10 00:00:00"),
            state(d.customer("cus_A", "2024-12-01 00:00:00", org=d.OA), "2024-12-01 00:00:00"),
        ]
    )
    rows = {r["subscription_item_id"]: r for r in subscription_item_rows(snap, StripeSettings(), {})}
    old_row, new_row = rows["si_A1"], rows["si_B1"]
    # old shape: the period is the subscription's
    assert (old_row["current_period_start"], old_row["current_period_end"]) == JAN
    assert (old_row["org_id"], old_row["billing_interval"], old_row["interval_count"]) == (d.OA, "month", "1")
    assert (old_row["unit_amount_cents"], old_row["quantity"], old_row["product"]) == ("7900", "3", "Growth")
    # new shape: the period is the item's
    assert (new_row["current_period_start"], new_row["current_period_end"]) == YEAR
    assert (new_row["billing_interval"], new_row["unit_amount_cents"], new_row["quantity"]) == ("year", "131580", "2")
    assert new_row["org_id"] is None
    # state_order: object time (the newest of created, start_date, item period starts) | status rank | state time
    assert new_row["state_order"] == "2025-04-10 00:00:00|2|2025-04-10 00:00:00.000000"


def test_fixture_objects_flatten_without_errors() -> None:
    # the shared fixtures' invoices (random values, real shapes) flatten in both shapes
    for shape in (d.OLD, d.NEW):
        inv = state(shape["invoice"], "2025-01-01 00:00:00")
        sub = state(shape["subscription"], "2025-01-01 00:00:00")
        snap = Snapshot.of([inv, sub, state(shape["customer"], "2025-01-01 00:00:00")])
        (row,) = invoice_rows(snap, StripeSettings(), {})
        assert row["invoice_id"] == "in_1Pgc6tB7WZ01zgkWu9fdqL6I"
        assert row["status"] == "draft"
        assert row["mrr_cents"] == "0"  # a one-time invoice item line (old) / an invoice-item proration (new)
        assert len(subscription_item_rows(snap, StripeSettings(), {})) == 1


def test_an_object_of_an_unexpected_shape_is_skipped_not_fatal() -> None:
    # signed and stored, but not shaped like anything Stripe sends: it must not stop every other row
    good = d.new_invoice(
        "in_good", "cus_x", None, [], status="paid", created="2026-01-01 00:00:00", subtotal=100, tax=0
    )
    bad_sub = {"id": "sub_bad", "object": "subscription", "customer": "cus_x", "items": {"data": [[1, 2]]}}
    snapshot = Snapshot.of(
        [
            state(good, "2026-01-01 00:00:00"),
            state(bad_sub, "2026-01-01 00:00:00"),
        ]
    )
    skipped: list[str] = []
    rows = invoice_rows(snapshot, StripeSettings(), {}, skipped)
    items = subscription_item_rows(snapshot, StripeSettings(), {}, skipped)
    assert [r["invoice_id"] for r in rows] == ["in_good"]
    assert items == []
    assert skipped == ["sub_bad"]
