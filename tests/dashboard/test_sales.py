"""The sales page in Chromium: each account list is the rows its rule picks from the built marts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import apply, csv_rows, mart, number
from tests.dashboard.test_browser import assert_readable, column
from vitals.metrics.activity import last_full_week


def seat_rows(built: Built, plan: str | None = None) -> dict[str, float]:
    """Utilization per org with seats, straight from the churn-risk mart (30-day active providers ÷ seats)."""
    rows = mart(
        built,
        "select c.org_id, c.churn_seat_utilization as utilization from mart_customer_success_churn_risk c "
        "left join organizations o on o.org_id = c.org_id "
        "where c.churn_seats_purchased > 0 and (? is null or o.current_plan = ?)",
        [plan, plan],
    )
    return {r["org_id"]: float(r["utilization"]) for r in rows}


def test_sales_lists_follow_their_rules(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/sales")
    assert_readable(page)
    for key in ("activated", "seats", "expansion", "declining", "not_activated"):
        assert "How this is chosen" in page.inner_text(f"p[data-rule={key}]"), key
    start = date.fromisoformat(page.input_value("[name=from]"))
    end = date.fromisoformat(page.input_value("[name=to]"))
    week = last_full_week(end)
    assert week.weekday() == 0 and end - timedelta(days=13) <= week <= end - timedelta(days=6)
    as_of = mart(dashboard_built, "select max(metric_date) as d from mart_customer_success_churn_risk")[0]["d"]
    assert f"as of {str(as_of)[:10]}" in page.inner_text("section#seats h2")
    # seat utilization: every org with seats, as the churn-risk mart has it
    expected = seat_rows(dashboard_built)
    shown = {r["org_name"]: r for r in csv_rows(page, served, "seats")}
    assert len(shown) == len(expected) > 0
    names = {o["org_id"]: o["org_name"] for o in served.api("admin", "/orgs", limit=500)["items"]}
    for org_id, utilization in expected.items():
        assert number(shown[names[org_id]]["utilization"]) == pytest.approx(utilization)
    ordered = [number(r["utilization"]) for r in csv_rows(page, served, "seats")]
    assert ordered == sorted(ordered, reverse=True)  # type: ignore[type-var]
    candidates = sorted(names[o] for o, u in expected.items() if u >= 0.9)
    assert sorted(column(page, "expansion", "org_name")) == candidates
    if not candidates:
        assert "No org is an expansion candidate" in page.inner_text("section#expansion")
    # newly activated: first successful job in the range, signed up once the product data had started (an
    # org that signed up before was already active: it is left out, and the title says how many)
    data_start = "(select min(cast(first_transcription_at as date)) from mart_analyses_time_to_first_value)"
    activated = mart(
        dashboard_built,
        "select org_id, cast(signup_at as date) >= " + data_start + " as is_new "
        "from mart_analyses_time_to_first_value where cast(first_transcription_at as date) between ? and ?",
        [start, end],
    )
    new = [r for r in activated if r["is_new"]]
    assert sorted(column(page, "activated", "org_name")) == sorted(names[r["org_id"]] for r in new)
    assert activated, "the generated orgs reach first value in the default range"
    if len(new) < len(activated):
        assert f"({len(activated) - len(new)} already active" in page.inner_text("section#activated h2")
    # declining: a full week in the range with WAP down 20% or more, once per org
    declining = mart(
        dashboard_built,
        "select distinct org_id from mart_analyses_declining_accounts where week_start between ? and ?",
        [start, week],
    )
    assert sorted(column(page, "declining", "org_name")) == sorted(names[r["org_id"]] for r in declining)
    waiting = mart(
        dashboard_built,
        "select org_id from mart_analyses_journey_stage "
        "where (first_transcription_at is null or cast(first_transcription_at as date) > ?) "
        "and (signup_at is null or cast(signup_at as date) <= ?)",
        [end, end],
    )
    assert len(column(page, "not_activated", "org_name")) == len(waiting)
    # each org links to its page
    first = page.locator("table[data-table=seats] a").first
    assert (first.get_attribute("href") or "").startswith("/orgs/")


def test_sales_filters_and_roles(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/sales")
    everyone = len(column(page, "seats", "org_name"))
    plans = sorted({o["plan"] for o in served.api("admin", "/orgs", limit=500)["items"] if o["plan"]})
    apply(page, plan=plans[0])
    assert set(column(page, "seats", "plan")) == {plans[0]}
    end = date.fromisoformat(page.input_value("[name=to]"))
    assert len(column(page, "seats", "plan")) == len(seat_rows(dashboard_built, plans[0]))
    assert len(column(page, "seats", "plan")) < everyone
    # an earlier range: the seats are the churn-risk mart's, as of its day, whatever the range
    earlier = end - timedelta(days=14)
    browser.goto(f"/sales?from={(earlier - timedelta(days=30)).isoformat()}&to={earlier.isoformat()}")
    as_of = mart(dashboard_built, "select max(metric_date) as d from mart_customer_success_churn_risk")[0]["d"]
    assert f"as of {str(as_of)[:10]}" in page.inner_text("section#seats h2")
    assert_readable(page)
    # one org
    browser.goto("/sales")
    apply(page, org=served.other_org_id)
    assert len(column(page, "seats", "org_name")) <= 1
    browser.logout()
    # an org token and a viewer: no sales page
    page = browser.login(served.tokens["org"])
    assert page.locator("header nav a", has_text="Sales").count() == 0
    browser.expected.add(("/sales", 403))
    response = page.goto(served.url + "/sales")
    assert response is not None and response.status == 403, "a vendor page, closed to org tokens"
    browser.logout()
    page = browser.login(served.tokens["viewer"])
    assert page.locator("header nav a", has_text="Sales").count() == 0
    browser.expected.add(("/sales", 403))
    response = page.goto(served.url + "/sales")
    assert response is not None and response.status == 403
