"""Invoices: re-deliveries, annual MRR, seats and expansion, churn and return."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from vitals.generate import GenerateResult

from .conftest import connect

ACTIVITY = "event_name not in ('org_created', 'org_signup', 'provider_created')"


@pytest.fixture(scope="module")
def bill(wide: GenerateResult) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(wide)
    con.execute(
        """
        create temp view inv as
        select
            invoice_id,
            lower(trim(org_id)) as org,
            customer_id,
            subscription_id,
            price_id,
            product,
            currency,
            cast(period_start as timestamptz) as period_start,
            cast(period_end as timestamptz) as period_end,
            cast(amount_cents as bigint) as amount,
            cast(subtotal_cents as bigint) as subtotal,
            cast(tax_cents as bigint) as tax,
            cast(discount_cents as bigint) as discount,
            cast(quantity as int) as quantity,
            status,
            cast(paid_at as timestamptz) as paid_at,
            cast(refunded_cents as bigint) as refunded,
            cast(mrr_cents as bigint) as mrr,
            churn_flag = 'true' as churn,
            expansion_flag = 'true' as expansion,
            cast(_ingest_ts as timestamptz) as ingested
        from b
        """
    )
    yield con
    con.close()


def test_open_invoices_are_redelivered_paid(bill: duckdb.DuckDBPyConnection) -> None:
    row = bill.sql(
        """
        select count(*)
        from inv as o
        join inv as p on p.invoice_id = o.invoice_id
        where o.status = 'open' and o.paid_at is null
          and p.status = 'paid' and p.paid_at is not null and p.ingested > o.ingested
        """
    ).fetchone()
    assert row is not None and row[0] > 0


def test_statuses_refunds_and_voids(bill: duckdb.DuckDBPyConnection) -> None:
    row = bill.sql(
        """
        select
            count(*) filter (where status = 'void'),
            count(*) filter (where refunded > 0),
            count(*) filter (where status not in ('open', 'paid', 'void')),
            count(*) filter (where currency <> 'usd'),
            count(*) filter (where amount <> subtotal - discount + tax),
            count(*) filter (where discount > 0),
            count(*) filter (where tax > 0)
        from inv
        """
    ).fetchone()
    assert row is not None
    void, refunded, unknown_status, other_currency, inconsistent, discounted, taxed = row
    assert void > 0 and refunded > 0 and discounted > 0 and taxed > 0
    assert unknown_status == other_currency == inconsistent == 0


def test_stripe_style_ids(bill: duckdb.DuckDBPyConnection) -> None:
    row = bill.sql(
        """
        select count(*) filter (where not (
            invoice_id like 'in\\_%' escape '\\' and customer_id like 'cus\\_%' escape '\\'
            and subscription_id like 'sub\\_%' escape '\\' and price_id like 'price\\_%' escape '\\'
            and product in ('Starter', 'Growth', 'Enterprise')
        ))
        from inv
        """
    ).fetchone()
    assert row == (0,)


def test_annual_invoices_spread_their_amount_over_twelve_months(bill: duckdb.DuckDBPyConnection) -> None:
    rows = bill.sql(
        """
        select amount, tax, mrr from inv
        where period_end - period_start > interval 300 day
        """
    ).fetchall()
    assert rows
    for amount, tax, mrr in rows:
        assert mrr == (amount - tax + 6) // 12  # before tax, rounded half up
    monthly = bill.sql(
        "select count(*) from inv where period_end - period_start < interval 32 day and mrr <> subtotal - discount"
    ).fetchone()
    assert monthly == (0,)


def test_seats_follow_providers_and_flag_expansion(bill: duckdb.DuckDBPyConnection) -> None:
    row = bill.sql(
        """
        with firsts as (
            select * from inv where status <> 'void'
            qualify row_number() over (partition by invoice_id order by ingested) = 1
        ),
        ordered as (
            select *, lag(quantity) over (partition by subscription_id order by period_start) as previous,
                      lag(product) over (partition by subscription_id order by period_start) as previous_product
            from firsts
        )
        select
            count(*) filter (where expansion),
            count(*) filter (where quantity > previous and not expansion),
            count(*) filter (where quantity < previous),
            count(*) filter (where product <> previous_product),
            min(quantity)
        from ordered
        """
    ).fetchone()
    assert row is not None
    expansions, missed, contractions, plan_changes, smallest = row
    assert expansions > 0 and missed == 0 and contractions > 0 and plan_changes > 0 and smallest >= 1


def test_churned_org_has_a_churn_invoice_and_no_activity_after(bill: duckdb.DuckDBPyConnection) -> None:
    churned = bill.sql(
        """
        select c.org, max(c.period_end) as ended
        from inv as c
        where c.churn
          and not exists (select 1 from inv as later where later.org = c.org and later.period_start > c.period_start)
        group by 1
        """
    ).fetchall()
    assert churned
    for org, ended in churned:
        row = bill.sql(
            f"""
            select count(*), max(cast(occurred_at as timestamptz)) from e
            where lower(trim(org_id)) = '{org}' and {ACTIVITY}
            """
        ).fetchone()
        assert row is not None
        count, last = row
        assert count > 0 and last < ended


def test_a_churned_org_returns(bill: duckdb.DuckDBPyConnection) -> None:
    row = bill.sql(
        """
        select count(distinct c.org)
        from inv as c
        join inv as back on back.org = c.org and back.period_start > c.period_end
            and back.subscription_id <> c.subscription_id and back.customer_id = c.customer_id
        where c.churn
          and exists (
              select 1 from e
              where lower(trim(e.org_id)) = c.org and e.event_name = 'note_submit'
                and cast(e.occurred_at as timestamptz) > back.period_start
          )
        """
    ).fetchone()
    assert row is not None and row[0] > 0


def test_lifecycles_show_in_weekly_active_providers(bill: duckdb.DuckDBPyConnection) -> None:
    rows = bill.sql(
        """
        with bounds as (select max(cast(occurred_at as timestamptz)) as last_at from e),
        weekly as (
            select
                lower(trim(org_id)) as org,
                count(distinct provider_id) filter (
                    where cast(occurred_at as timestamptz) >= last_at - interval 84 day
                      and cast(occurred_at as timestamptz) < last_at - interval 56 day
                ) as early,
                count(distinct provider_id) filter (
                    where cast(occurred_at as timestamptz) >= last_at - interval 28 day
                ) as late
            from e, bounds
            where event_name = 'summarize_success'
            group by 1
        )
        select
            count(*) filter (where late > 0 and late <= 0.7 * early),
            count(*) filter (where late >= 1.2 * early and early > 0)
        from weekly
        where org not in (select org from inv where churn)
        """
    ).fetchone()
    assert rows is not None
    declining, growing = rows
    assert declining > 0 and growing > 0
