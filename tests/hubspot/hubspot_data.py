"""HubSpot objects as the CRM API returns them, for the pull tests: a small portal with hand-checked rows."""

from __future__ import annotations

from typing import Any

from tests.hubspot.fake_hubspot import FakeHubSpot

Obj = dict[str, Any]

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
OA = "7c1e1c1e-0000-4000-8000-00000000000a"


def iso(day: str, time: str = "00:00:00") -> str:
    """A HubSpot timestamp (``2026-05-01T10:00:00.000Z``)."""
    return f"2026-{day}T{time}.000Z"


def landed(day: str, time: str = "00:00:00") -> str:
    """The same time as the contracts land it."""
    return f"2026-{day}T{time}.000000Z"


def history(*changes: tuple[str, str]) -> list[Obj]:
    """A property history from (value, time) pairs, newest first as HubSpot sends it."""
    return [
        {"value": value, "timestamp": at, "sourceType": "CRM_UI", "sourceId": "userId:1"}
        for value, at in reversed(changes)
    ]


def obj(
    object_id: str, modified: str, created: str, modified_property: str = "hs_lastmodifieddate", **props: Any
) -> Obj:
    """A CRM object with its properties (``hs_object_id``, ``createdate`` and the modified one included)."""
    properties = {"hs_object_id": object_id, "createdate": created, modified_property: modified, **props}
    return {"id": object_id, "properties": properties, "createdAt": created, "updatedAt": modified, "archived": False}


def deal(object_id: str, stages: list[tuple[str, str]], modified: str, **props: Any) -> Obj:
    """A deal whose stage went through ``stages`` (stage id, time); other properties as given."""
    found = obj(object_id, modified, stages[0][1], dealstage=stages[-1][0], pipeline="default", **props)
    found["propertiesWithHistory"] = {"dealstage": history(*stages)}
    for name in ("amount", "closedate", "hubspot_owner_id", "pipeline", "deal_currency_code"):
        if name in found["properties"]:
            found["propertiesWithHistory"][name] = history((found["properties"][name], stages[0][1]))
    return found


def portal() -> FakeHubSpot:
    """The portal every test starts from.

    Companies 101 (org OA) and 102 (a prospect). Deals: 1 won after three stages (its amount changed between
    two of them), 2 open at the prospect, 3 lost. One call, email, meeting and note on deal 1. Contacts: 301,
    a lead that became an MQL and an SQL; 302, a subscriber (not a lead). Tickets 401 (new, high) and 402
    (closed, medium, rated 4, escalated)."""
    fake = FakeHubSpot(TOKEN)
    fake.add(
        "companies", obj("101", iso("04-01"), iso("04-01"), name="Mercy Clinic", domain="mercy.example", org_id=OA)
    )
    fake.add("companies", obj("102", iso("04-02"), iso("04-02"), name="Lakeside Health", domain="lakeside.example"))

    won = deal(
        "1",
        [
            ("appointmentscheduled", iso("05-01", "10:00:00")),
            ("qualifiedtobuy", iso("05-03")),
            ("closedwon", iso("05-10")),
        ],
        iso("05-10", "12:00:00"),
        amount="1500.50",
        deal_currency_code="USD",
        closedate=iso("05-10"),
        hubspot_owner_id="111",
        hs_analytics_source="PAID_SEARCH",
    )
    won["propertiesWithHistory"]["amount"] = history(("1000", iso("05-01", "10:00:00")), ("1500.50", iso("05-05")))
    fake.add("deals", won)
    fake.add(
        "deals",
        deal(
            "2",
            [("appointmentscheduled", iso("05-02", "09:00:00"))],
            iso("05-02", "09:00:00"),
            amount="800",
            closedate=iso("06-30"),
            hubspot_owner_id="112",
            hs_analytics_source="ORGANIC_SEARCH",
        ),
    )
    fake.add(
        "deals",
        deal(
            "3",
            [("qualifiedtobuy", iso("05-01")), ("closedlost", iso("05-04"))],
            iso("05-04"),
            amount="200",
            closedate=iso("05-04"),
            hubspot_owner_id="111",
            closed_lost_reason="Price",
        ),
    )
    fake.link("deals", "1", "companies", "101")
    fake.link("deals", "2", "companies", "102")
    fake.link("deals", "3", "companies", "101")

    for kind, object_id, day in (("calls", "501", "05-02"), ("emails", "502", "05-03"), ("meetings", "503", "05-04"),
                                 ("notes", "504", "05-05")):  # fmt: skip
        fake.add(
            kind,
            obj(object_id, iso(day, "15:00:00"), iso(day), hs_timestamp=iso(day, "14:00:00"), hubspot_owner_id="111"),
        )
        fake.link(kind, object_id, "deals", "1")
        fake.link(kind, object_id, "companies", "101")

    fake.add(
        "contacts",
        obj(
            "301",
            iso("05-06"),
            iso("04-20"),
            "lastmodifieddate",
            lifecyclestage="salesqualifiedlead",
            hs_lifecyclestage_lead_date=iso("04-20", "08:00:00"),
            hs_lifecyclestage_marketingqualifiedlead_date=iso("04-25"),
            hs_lifecyclestage_salesqualifiedlead_date=iso("05-01"),
            hs_analytics_source="PAID_SEARCH",
            hs_analytics_source_data_1="spring-launch",
            hs_email_domain="mercy.example",
            associatedcompanyid="101",
        ),
    )
    fake.link("contacts", "301", "deals", "1")
    fake.add("contacts", obj("302", iso("05-07"), iso("05-07"), "lastmodifieddate", lifecyclestage="subscriber"))

    fake.add(
        "tickets",
        obj("401", iso("05-08"), iso("05-08"), hs_pipeline_stage="1", hs_ticket_priority="HIGH", source_type="EMAIL"),
    )
    fake.add(
        "tickets",
        obj(
            "402",
            iso("05-09", "18:00:00"),
            iso("05-09"),
            hs_pipeline_stage="4",
            hs_ticket_priority="MEDIUM",
            hs_ticket_category="BILLING_ISSUE",
            source_type="CHAT",
            first_agent_reply_date=iso("05-09", "01:00:00"),
            closed_date=iso("05-09", "17:00:00"),
            csat="4",
            escalated="true",
        ),
    )
    fake.link("tickets", "401", "companies", "101")
    fake.link("tickets", "402", "companies", "101")
    return fake
