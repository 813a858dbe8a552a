"""The customer success page's campaign form: cs starts a retention campaign for an at-risk org (audited like
the API's); viewers and org tokens get no form and are refused, in Chromium."""

from __future__ import annotations

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart


def test_cs_starts_a_campaign_from_the_at_risk_list(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["cs"])
    form = page.locator("form.campaign")
    assert form.count() == 1
    at_risk = page.locator('table[data-table="at_risk"] td[data-key="org_name"]').all_inner_texts()
    options = form.locator("select[name=org] option").all_inner_texts()
    assert options == at_risk and options
    org_id = form.locator("select[name=org] option").first.get_attribute("value")
    form.locator("select[name=kind]").select_option("training")
    form.locator("select[name=channel]").select_option("meeting")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "campaign=started" in page.url
    assert "campaign was started" in page.locator("p.notice").all_inner_texts()[-1]
    audit = served.api("admin", "/audit", action="campaigns.start")["items"]
    assert any(e["target"].startswith(f"{org_id}:") and e["role"] == "cs" and "training" in e["detail"] for e in audit)


def test_viewers_and_org_tokens_cannot_start_campaigns(browser: Browser, served: Served) -> None:
    for role in ("viewer", "org"):
        page = browser.login(served.tokens[role])
        assert page.locator("form.campaign").count() == 0
        refused = page.request.post(
            served.url + "/campaigns/start",
            form={"org": served.org_id, "kind": "training", "channel": "email"},
            headers={"Origin": served.url},
            max_redirects=0,
        )
        assert refused.status == 403, (role, refused.status)
        browser.logout()
    audit = served.api("admin", "/audit", action="campaigns.start")["items"]
    assert not any(e["role"] in ("viewer", "org") for e in audit)


def test_support_load_and_campaigns_are_the_marts(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["cs"])
    title = page.locator("section#support h2").inner_text()
    day = title.split(" to ")[1].rstrip(")")
    expected = mart(
        dashboard_built,
        "select org_id, support_tickets_opened_30d as n from mart_support_daily "
        "where cast(metric_date as varchar) = ? and support_tickets_opened_30d > 0",
        [day],
    )
    rows = page.locator('table[data-table="support"] tbody tr')
    assert rows.count() == len(expected) > 0
    counts = {r["org_id"]: int(r["n"]) for r in expected}
    for row in rows.all()[:5]:
        org = (row.locator('td[data-key="org_name"] a').get_attribute("href") or "").split("/orgs/")[1].split("?")[0]
        assert (
            int(row.locator('td[data-key="support_tickets_opened_30d"]').get_attribute("data-value") or 0)
            == counts[org]
        )
    kinds = mart(dashboard_built, "select kind, campaigns_started from mart_customer_success_campaign_kinds")
    shown = page.locator('table[data-table="campaign_kinds"] td[data-key="kind"]').all_inner_texts()
    assert sorted(shown) == sorted(r["kind"] for r in kinds) and shown
    assert page.locator('table[data-table="campaigns"] tbody tr').count() >= 1
