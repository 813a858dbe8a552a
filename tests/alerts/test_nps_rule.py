"""The shipped ``org_nps_negative`` rule (seed 003: NPS < 0): fires for an org with a negative NPS and enough
responses, not below the minimum volume, and is skipped, sending nothing, while NPS is not connected."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import yaml

from tests.alerts.series import put_daily, put_source
from vitals.alerts import evaluate
from vitals.alerts.rules import DEFAULT_RULES_FILE
from vitals.alerts.state import AlertStore
from vitals.warehouse import open_warehouse

DAY = date(2026, 6, 30)
TICK = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # the day after, when 06-30's value is final
OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
OC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"


def shipped_rule() -> dict[str, Any]:
    """The default rule as shipped, routed to the test receiver."""
    rules = yaml.safe_load(DEFAULT_RULES_FILE.read_text())["rules"]
    rule = next(r for r in rules if r["name"] == "org_nps_negative")
    assert (rule["metric"], rule["scope"], rule["condition"]) == (
        "nps",
        "org",
        {"type": "threshold", "op": "<", "value": 0},
    )
    assert rule["min_volume"] == {"metric": "nps_responses", "at_least": 5} and rule["routes"] == ["cs"]
    return {**rule, "routes": ["hook"]}


def put_nps(settings: Any, org: str, nps: float, responses: int) -> None:
    put_daily(settings, "nps", {DAY: nps}, entity=org)
    put_daily(settings, "nps_responses", {DAY: responses}, entity=org)


def test_negative_nps_with_enough_responses_fires_once_per_org(make_timeline: Any) -> None:
    tl = make_timeline(shipped_rule())
    put_source(tl.settings, "nps_responses", connected=True)
    put_nps(tl.settings, OA, 25.0, 8)
    put_nps(tl.settings, OB, -40.0, 5)  # exactly the minimum volume
    put_nps(tl.settings, OC, -100.0, 2)  # one angry clinic of two answers: too few to judge

    sent = tl.tick(TICK)

    assert [(n["kind"], n["scope"], n["value"]) for n in sent] == [("firing", OB, -40.0)]
    report = evaluate(tl.settings, TICK.replace(hour=10))
    by_scope = {r.scope: (r.state, r.reason) for r in report.results if r.rule == "org_nps_negative"}
    assert by_scope[OB][0] == "firing" and by_scope[OA][0] == "inactive"
    assert by_scope[OC] == ("inactive", "nps_responses 2 < 5: too little volume to judge")
    assert tl.webhook_count() == 1, "no repeat within the 7-day interval"


def test_not_connected_skips_the_rule_and_sends_nothing(make_timeline: Any) -> None:
    tl = make_timeline(shipped_rule())  # no source_status at all: nothing was ever built with NPS

    report = evaluate(tl.settings, TICK)

    assert report.skipped == [("org_nps_negative", "source nps_responses not connected")]
    assert [r for r in report.results if r.rule == "org_nps_negative"] == []
    assert tl.webhook_count() == 0


def test_a_source_no_longer_connected_moves_open_scopes_to_nodata_without_a_resolve(make_timeline: Any) -> None:
    tl = make_timeline(shipped_rule())
    put_source(tl.settings, "nps_responses", connected=True)
    put_nps(tl.settings, OB, -40.0, 6)
    assert [n["kind"] for n in tl.tick(TICK)] == ["firing"]

    put_source(tl.settings, "nps_responses", connected=False)
    report = evaluate(tl.settings, TICK.replace(hour=10))

    assert report.skipped == [("org_nps_negative", "source nps_responses not connected")]
    assert [(r.scope, r.state, r.reason) for r in report.results] == [
        (OB, "nodata", "source nps_responses not connected")
    ]
    assert tl.webhook_count() == 1, "nodata is never an alarm, nor a resolve"
    with open_warehouse(tl.settings) as wh:
        assert AlertStore(wh).states()[("org_nps_negative", OB)].state == "nodata"


@pytest.mark.parametrize(("responses", "fires"), [(29, False), (30, True)])
def test_the_company_wide_rule_needs_thirty_responses(make_timeline: Any, responses: int, fires: bool) -> None:
    """Seed 003's escalation: the company's NPS below 0 fires once 30 responses stand behind it."""
    rules = yaml.safe_load(DEFAULT_RULES_FILE.read_text())["rules"]
    rule = {**next(r for r in rules if r["name"] == "nps_negative"), "routes": ["hook"]}
    tl = make_timeline(rule)
    put_source(tl.settings, "nps_responses", connected=True)
    put_nps(tl.settings, "global", -5.0, responses)
    sent = tl.tick(TICK)
    assert [(n["kind"], n["scope"], n["value"]) for n in sent] == ([("firing", "global", -5.0)] if fires else [])
