"""The operations pages' parts without a browser: who the nav lists them to, the SLOs read from the alert
rules (a user's rules file overrides them), and the saved digests with their charts inlined."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

from vitals.config import Settings
from vitals.dashboard.pages.digest import inline_html, saved_weeks
from vitals.dashboard.pages.reliability import slo_thresholds
from vitals.dashboard.registry import pages


def test_the_nav_lists_each_page_to_the_roles_that_may_open_it() -> None:
    by_slug = {p.slug: p for p in pages()}
    listed = {
        role: {s for s, p in by_slug.items() if p.in_nav(role)} for role in ("admin", "analyst", "cs", "viewer", "org")
    }
    assert {"reliability", "data-health", "catalog", "digest"} <= listed["admin"]
    assert {"data-health", "digest"} <= listed["analyst"]
    assert "digest" in listed["cs"] and "data-health" not in listed["cs"]
    assert {"reliability", "catalog"} <= listed["viewer"] and not {"digest", "data-health"} & listed["viewer"]
    # an org token's nav holds its own org's page only (its link is built from the token, not listed here)
    assert not {"executive", "customer_success", "reliability", "catalog", "digest", "data-health"} & listed["org"]
    assert "catalog-metric" not in listed["admin"]  # a path parameter keeps it out of the nav


def test_slos_are_the_alert_rules_thresholds(tmp_path: Path) -> None:
    defaults = slo_thresholds(Settings(state_dir=tmp_path))
    assert defaults == {
        "turnaround": ("turnaround_slow", 600_000.0),
        "summarization": ("summarization_slow", 180_000.0),
    }
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n"
        "  - name: turnaround_slow\n"
        "    metric: duration_ms_p50\n"
        "    condition: {type: threshold, op: '>', value: 300000}\n"
        "    routes: [cs]\n"
        "  - name: summarization_slow\n"
        "    enabled: false\n"
        "    metric: summarize_ms_p50\n"
        "    condition: {type: threshold, op: '>', value: 180000}\n"
        "    routes: [cs]\n"
    )
    custom = slo_thresholds(Settings(state_dir=tmp_path, alerts={"rules_file": str(rules)}))
    assert custom == {"turnaround": ("turnaround_slow", 300_000.0)}


def test_saved_digests_newest_first_with_charts_inlined(tmp_path: Path) -> None:
    assert saved_weeks(tmp_path / "absent") == []
    for day in ("2026-11-23", "2026-11-30"):
        (tmp_path / f"weekly-{day}.html").write_text(
            f"<h1>{day}</h1><img src='weekly-{day}-mrr.png'><img src='weekly-{day}-activity.png'>"
        )
    (tmp_path / "weekly-2026-11-30.txt").write_text("text")
    (tmp_path / "notes.html").write_text("not a digest")
    png = b"\x89PNG\r\n\x1a\n-mrr"
    (tmp_path / "weekly-2026-11-30-mrr.png").write_bytes(png)
    assert saved_weeks(tmp_path) == [date(2026, 11, 30), date(2026, 11, 23)]
    text = inline_html(tmp_path, date(2026, 11, 30))
    assert f"src='data:image/png;base64,{base64.b64encode(png).decode()}'" in text
    assert "src='weekly-2026-11-30-activity.png'" in text  # a chart not saved stays as it was
