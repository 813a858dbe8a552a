"""HubSpot's JSON as contract rows, and the search past its 10,000-result window, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hubspot import hubspot_data as d
from vitals.hubspot import pull as p
from vitals.hubspot import rows as r
from vitals.hubspot.api import DEALS, HubSpotError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000000Z"),
        ("2026-05-01T10:00:00.5+02:00", "2026-05-01T08:00:00.500000Z"),
        ("1777629600000", "2026-05-01T10:00:00.000000Z"),  # epoch milliseconds, as older properties give
        ("2026-05-01", "2026-05-01T00:00:00.000000Z"),
        ("", None),
        (None, None),
        ("next week", "next week"),  # passed on: the contract check names it
    ],
)
def test_times_land_as_utc_text(value: Any, expected: str | None) -> None:
    assert r.timestamp(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("1500.50", "150050"), ("0.005", "1"), ("12", "1200"), ("", None)])
def test_amounts_land_in_whole_cents(value: str, expected: str | None) -> None:
    assert r.cents(value) == expected


def test_a_stage_outside_the_pipelines_falls_back_to_the_deals_own_flags() -> None:
    stages = [("custom_open", d.iso("05-01")), ("custom_won", d.iso("05-03"))]
    closed = d.deal("9", stages, d.iso("05-04"), hs_is_closed="true", hs_is_closed_won="true")

    found = r.deal_rows(closed, r.NO_COMPANY, {})

    assert [(row["stage"], row["is_won"], row["closed_at"]) for row in found] == [
        ("custom_open", "", None),
        ("custom_won", "true", d.landed("05-03")),  # closed when it entered the stage (no close date)
        ("custom_won", "true", d.landed("05-03")),
    ]


def test_ticket_statuses_priorities_and_ratings() -> None:
    statuses = {"10": "solved"}
    ticket = d.obj(
        "1", d.iso("05-02"), d.iso("05-01"), hs_pipeline_stage="10", hs_ticket_priority="Urgent", rating="4.0"
    )

    row = r.ticket_row(ticket, r.NO_COMPANY, statuses, "rating", "")
    unknown = r.ticket_row(d.obj("2", d.iso("05-02"), d.iso("05-01"), hs_pipeline_stage="77", rating="9"), r.NO_COMPANY,
                           statuses, "rating", "")  # fmt: skip

    assert (row["status"], row["priority"], row["csat_score"], row["escalated"]) == ("solved", "urgent", "4", "false")
    assert (unknown["status"], unknown["priority"], unknown["csat_score"]) == ("open", "", "")


class _Window:
    """A search API whose window holds 4 results (pages of 2), over 7 deals modified one per hour."""

    def __init__(self) -> None:
        self.deals = [d.obj(str(n), d.iso("05-01", f"0{n}:00:00"), d.iso("05-01")) for n in range(1, 8)]
        self.calls: list[tuple[int | None, str | None]] = []

    def search(self, kind: Any, properties: Any, since_ms: int | None, after: str | None, limit: int) -> dict[str, Any]:
        self.calls.append((since_ms, after))
        items = [o for o in self.deals if since_ms is None or p._epoch_ms(r.modified_at(o) or "") >= since_ms]
        offset = int(after or 0)
        if offset >= 4:
            raise AssertionError("asked past the search window")
        page: dict[str, Any] = {"results": items[offset : offset + limit]}
        if offset + limit < len(items):
            page["paging"] = {"next": {"after": str(offset + limit)}}
        return page


def test_the_search_starts_again_past_its_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(p, "SEARCH_WINDOW", 4)
    api = _Window()

    pages = [[o["id"] for o in page] for page in p._search_pages(api, DEALS, (), None, 2)]  # type: ignore[arg-type]

    assert pages == [["1", "2"], ["3", "4"], ["4", "5"], ["6", "7"]]  # deal 4 (the restart's bound) is read twice
    assert [after for _, after in api.calls] == [None, "2", None, "2"]


def test_a_search_that_cannot_move_past_its_window_stops_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(p, "SEARCH_WINDOW", 4)
    api = _Window()
    for deal in api.deals:
        deal["properties"]["hs_lastmodifieddate"] = d.iso("05-01")

    with pytest.raises(HubSpotError, match="within one millisecond"):
        list(p._search_pages(api, DEALS, (), None, 2))  # type: ignore[arg-type]
