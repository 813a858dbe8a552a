"""Raw text to typed values by the staging models' rules (the macros they mirror are named in the module)."""

from __future__ import annotations

from datetime import datetime

import pytest

from vitals.config import DEFAULT_EVENT_NAMES
from vitals.realtime import normalize as n


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02 11:05:00", datetime(2026, 3, 2, 11, 5)),
        ("2026-03-02T11:05", datetime(2026, 3, 2, 11, 5)),
        ("2026-03-02", datetime(2026, 3, 2)),
        ("2026-03-02T11:05:00.1234567", datetime(2026, 3, 2, 11, 5, 0, 123456)),
        ("2026-03-02T11:05:00Z", datetime(2026, 3, 2, 11, 5)),
        ("2026-03-02T13:05:00+02:00", datetime(2026, 3, 2, 11, 5)),
        ("2026-03-02 06:05:00 -0500", datetime(2026, 3, 2, 11, 5)),
        ("2026-03-02T16:05:00+05", datetime(2026, 3, 2, 11, 5)),
        ("  2026-03-02 11:05:00  ", datetime(2026, 3, 2, 11, 5)),
        ("2026-13-02 11:05:00", None),
        ("yesterday", None),
        ("null", None),
        (None, None),
    ],
)
def test_timestamps_are_utc(text: str | None, expected: datetime | None) -> None:
    assert n.parse_utc_timestamp(text) == expected


def test_ids_numbers_and_booleans() -> None:
    assert n.normalize_id("  ABC ") == "abc" and n.normalize_id("None") is None and n.normalize_id("") is None
    assert n.uuid_or_null(" 0000000A-0000-4000-8000-00000000000A ") == "0000000a-0000-4000-8000-00000000000a"
    assert n.uuid_or_null("org-42") is None
    assert (n.try_double(" 0.75 "), n.try_double("1e-1"), n.try_double("high")) == (0.75, 0.1, None)
    assert (n.try_boolean("Yes"), n.try_boolean("0"), n.try_boolean("maybe")) == (True, False, None)


def test_event_names_follow_the_mapping() -> None:
    mapping = {**DEFAULT_EVENT_NAMES, "note_submit": ["job_created"]}
    names, remapped = n.event_name_map(mapping), n.remapped_names(mapping)
    assert n.canonical_event_name(" JOB_CREATED ", names, remapped) == "note_submit"
    assert n.canonical_event_name("note_submit", names, remapped) is None  # remapped away
    assert n.canonical_event_name("summarize_success", names, remapped) == "summarize_success"
    assert n.canonical_event_name("Custom_Thing", names, remapped) == "custom_thing"


def test_properties_are_read_as_text() -> None:
    props = '{"note_id": "N1", "quality_score": 0.65, "hard_error": true, "nested": {"a": 1}}'
    assert n.property_text(props, "note_id") == "N1"
    assert n.property_text(props, "quality_score") == "0.65"
    assert n.property_text(props, "hard_error") == "true"
    assert n.property_text(props, "nested") == '{"a":1}'
    assert n.property_text(props, "absent") is None
    assert n.property_text("{broken", "note_id") is None and n.property_text("[1]", "note_id") is None
