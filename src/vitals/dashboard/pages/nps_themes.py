"""The table of what NPS comments talk about (the themes of the ``nps.themes`` setting), company-wide on the
customer success page and per org on the org page."""

from __future__ import annotations

from vitals.dashboard.datasets import Column, Table
from vitals.dashboard.view import View
from vitals.metrics.nps import nps_themes

COLUMNS = [
    Column("theme", "theme", "text"),
    Column("theme_mentions", "comments", "count"),
    Column("theme_share_of_comments", "share of comments", "ratio"),
    Column("theme_promoters", "promoters", "count"),
    Column("theme_passives", "passives", "count"),
    Column("theme_detractors", "detractors", "count"),
    Column("theme_nps", "NPS of these", "score"),
]


def themes_table(view: View, org: str | None = None) -> Table:
    """Each theme the comments of the last build's 90 days mention, most mentioned first."""
    rows = nps_themes(view.scope, org, action="dashboard.nps_themes")
    day = rows[0]["metric_date"] if rows else None
    title = "What NPS comments talk about" + (f" (90 days to {day.isoformat()})" if day else "")
    empty = "No NPS comment mentions a theme (themes are the nps.themes setting)."
    return Table("nps_themes", title, COLUMNS, rows, empty)
