"""NPS comment themes on a hand-worked set of comments, once per engine, and with themes of one's own.

As of 2026-06-30 20:00 UTC (D = 2026-06-30, window 2026-04-02 .. 2026-06-30, PDT). Default themes; a comment
mentions a theme when its lowercased text contains one of the theme's keywords.

| id | org | score | comment                              | themes                      |
|----|-----|-------|--------------------------------------|-----------------------------|
| t1 | A   | 10 P  | Saves me an hour every clinic day    | time saved                  |
| t2 | A   | 9 P   | Easy to set up and saves time        | ease of use, time saved     |
| t3 | A   | 3 D   | Too SLOW and it failed twice         | speed, reliability          |
| t4 | A   | 7 Pa  | Fine                                 | (none; still commented)     |
| t5 | A   | 8 Pa  | (no comment)                         | not commented               |
| t6 | A   | 2 D   | Notes need fixing                    | accuracy                    |
| t7 | A   | 6 D   | slow mornings (2026-03-01: outside)  | not in the window           |
| u1 | B   | 5 D   | Slower than typing                   | speed                       |
| u2 | B   | 10 P  | "   " (blank: no comment)            | not commented               |
| x1 | -   | 9 P   | Love it, saves hours (org not a UUID)| time saved, global only     |

Commented in the window: A 5 (t1 t2 t3 t4 t6), B 1 (u1), global 7. Global: time saved 3 (3 P: NPS 100,
share 3/7), speed 2 (2 D: -100, 2/7), ease of use 1, reliability 1, accuracy 1. Org A: time saved 2 (share
0.4), ease of use 1, speed 1, reliability 1, accuracy 1 (0.2 each). Org B: speed 1 (share 1, NPS -100).
No theme row for note quality or coding (never mentioned).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.marts.nps_dataset import AS_OF, OA, OB, land_responses, response
from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+mart_customer_success_nps_themes"

COMMENTS = [
    response("t1", OA, 10, "2026-06-01 17:00:00", comment="Saves me an hour every clinic day"),
    response("t2", OA, 9, "2026-06-02 17:00:00", comment="Easy to set up and saves time"),
    response("t3", OA, 3, "2026-06-03 17:00:00", comment="Too SLOW and it failed twice"),
    response("t4", OA, 7, "2026-06-04 17:00:00", comment="Fine"),
    response("t5", OA, 8, "2026-06-05 17:00:00"),
    response("t6", OA, 2, "2026-06-06 17:00:00", comment="Notes need fixing"),
    response("t7", OA, 6, "2026-03-01 18:00:00", comment="slow mornings"),
    response("u1", OB, 5, "2026-06-15 17:00:00", comment="Slower than typing"),
    response("u2", OB, 10, "2026-06-16 17:00:00", comment="   "),
    response("x1", "org-42", 9, "2026-06-28 17:00:00", comment="Love it, saves hours"),
]


def themes(settings: Settings) -> dict[tuple[str, str], dict[str, Any]]:
    found = query(settings, "select * from {core}.mart_customer_success_nps_themes")
    return {(r["entity_id"], r["theme"]): r for r in found}


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp(f"nps-themes-{request.param}")
    with engine_warehouse(request.param, directory) as settings:
        land_responses(settings, COMMENTS)
        assert build(settings, as_of=AS_OF, select=SELECT).success
        yield settings


def test_each_theme_counts_its_mentions_by_category(built: Settings) -> None:
    rows = themes(built)
    counts = {
        key: (r["theme_mentions"], r["theme_promoters"], r["theme_passives"], r["theme_detractors"])
        for key, r in rows.items()
    }
    assert counts == {
        ("global", "time saved"): (3, 3, 0, 0),
        ("global", "speed"): (2, 0, 0, 2),
        ("global", "ease of use"): (1, 1, 0, 0),
        ("global", "reliability"): (1, 0, 0, 1),
        ("global", "accuracy"): (1, 0, 0, 1),
        (OA, "time saved"): (2, 2, 0, 0),
        (OA, "ease of use"): (1, 1, 0, 0),
        (OA, "speed"): (1, 0, 0, 1),
        (OA, "reliability"): (1, 0, 0, 1),
        (OA, "accuracy"): (1, 0, 0, 1),
        (OB, "speed"): (1, 0, 0, 1),
    }
    assert {str(r["metric_date"]) for r in rows.values()} == {"2026-06-30"}


def test_share_of_comments_and_theme_nps(built: Settings) -> None:
    rows = themes(built)
    assert rows[("global", "time saved")]["commented_responses"] == 7
    assert rows[("global", "time saved")]["theme_share_of_comments"] == pytest.approx(3 / 7)
    assert rows[("global", "speed")]["theme_share_of_comments"] == pytest.approx(2 / 7)
    assert rows[(OA, "time saved")]["theme_share_of_comments"] == pytest.approx(0.4)
    assert rows[(OA, "accuracy")]["theme_share_of_comments"] == pytest.approx(0.2)
    assert rows[(OB, "speed")]["theme_share_of_comments"] == pytest.approx(1.0)
    assert rows[("global", "time saved")]["theme_nps"] == pytest.approx(100.0)
    assert rows[("global", "speed")]["theme_nps"] == pytest.approx(-100.0)


def test_themes_of_ones_own_replace_the_defaults(tmp_path: Path) -> None:
    with engine_warehouse("duckdb", tmp_path, nps={"themes": {"Onboarding": ["Set Up", "training"]}}) as settings:
        land_responses(settings, COMMENTS)
        assert build(settings, as_of=AS_OF, select=SELECT).success
        rows = themes(settings)
    assert set(rows) == {("global", "Onboarding"), (OA, "Onboarding")}
    assert rows[("global", "Onboarding")]["theme_mentions"] == 1


@pytest.mark.parametrize(
    ("given", "refused"),
    [({"speed": []}, "needs keywords"), ({"speed": ["50%"]}, "refused"), ({"x'; drop": ["slow"]}, "theme name")],
)
def test_themes_that_cannot_be_matched_safely_are_refused(given: dict[str, list[str]], refused: str) -> None:
    with pytest.raises(ValueError, match=refused):
        Settings(nps={"themes": given})
