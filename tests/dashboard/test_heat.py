"""Heat-map tables: shading against the largest value or a fixed peak, and the CSV of the plain table."""

from __future__ import annotations

import math
from datetime import date

from vitals.dashboard.datasets import Column
from vitals.dashboard.heat import HeatTable
from vitals.dashboard.pages.product import bucket
from vitals.dashboard.pages.sales import last_full_week


def test_cells_are_shaded_by_their_share_of_the_peak() -> None:
    rows = [{"day": "Mon", "h0": 2.0, "h1": 8.0}, {"day": "Tue", "h0": 0.0, "h1": None}]
    columns = [Column("day", "day"), Column("h0", "00", "count"), Column("h1", "01", "count")]
    table = HeatTable("load", "Load", columns, rows, heat=["h0", "h1"])
    assert table.shade(rows[0], "h0") == 0.25 and table.shade(rows[0], "h1") == 1.0
    assert table.shade(rows[1], "h0") == 0.0
    assert table.shade(rows[1], "h1") is None  # no value: not shaded
    assert table.shade(rows[0], "day") is None  # not a heat column
    assert table.csv().splitlines() == ["day,h0,h1", "Mon,2.0,8.0", "Tue,0.0,"]
    capped = HeatTable(
        "r", "Retention", columns, [{"day": "w", "h0": 1.5, "h1": math.nan}], heat=["h0", "h1"], peak=1.0
    )
    assert capped.shade(capped.rows[0], "h0") == 1.0 and capped.shade(capped.rows[0], "h1") is None
    empty = HeatTable("z", "Zero", columns, [{"day": "Mon", "h0": 0, "h1": 0}], heat=["h0", "h1"])
    assert empty.shade(empty.rows[0], "h0") == 0.0


def test_time_to_first_value_buckets_and_the_seat_week() -> None:
    assert [bucket(d) for d in (-0.5, 0.9, 1.0, 2.9, 6.99, 7, 13.9, 29.9, 30, 400)] == [0, 0, 1, 1, 2, 3, 3, 4, 5, 5]
    assert last_full_week(date(2026, 11, 29)) == date(2026, 11, 23)  # a Sunday ends its own week
    assert last_full_week(date(2026, 11, 30)) == date(2026, 11, 23)  # a Monday: the week before
    assert last_full_week(date(2026, 12, 5)) == date(2026, 11, 23)
