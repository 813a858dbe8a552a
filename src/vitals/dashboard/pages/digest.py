"""Weekly digest: the latest saved digest (``vitals report weekly`` and the server's weekly job save it) shown
as it is mailed, in a sandboxed frame with its chart PNGs inlined; earlier weeks can be picked. With none saved
yet, the page builds and saves the one for the last full week.

The digest names orgs (the biggest health moves), so it needs both global and org metrics: admin, analyst, cs
and sales tokens."""

from __future__ import annotations

import base64
import html
import re
from datetime import date
from pathlib import Path

from vitals.api.scope import BadRequest, Forbidden, NotFound
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.reports.charts import CHARTS, chart_filename
from vitals.reports.digest import report_dir, save
from vitals.reports.weekly import ReportError, weekly_report

SAVED = re.compile(r"^weekly-(\d{4}-\d{2}-\d{2})\.html$")


def saved_weeks(folder: Path) -> list[date]:
    """The last days of the saved digests, newest first."""
    if not folder.is_dir():
        return []
    weeks = [date.fromisoformat(m.group(1)) for p in folder.iterdir() if (m := SAVED.match(p.name))]
    return sorted(weeks, reverse=True)


def inline_html(folder: Path, week_end: date) -> str:
    """The saved digest's HTML with its chart images as ``data:`` URIs (it refers to them by file name)."""
    text = (folder / f"weekly-{week_end.isoformat()}.html").read_text()
    for spec in CHARTS:
        name = chart_filename(week_end, spec.slug)
        png = folder / name
        if png.is_file():
            uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
            text = text.replace(f"src='{html.escape(name, quote=True)}'", f"src='{uri}'")
    return text


def build(view: View) -> Content:
    """The digest asked for (``week``: its last day), else the latest; built now when none is saved."""
    if view.scope.org_id is not None:
        raise Forbidden("the weekly digest is company-wide; an org token reads its own org only")
    view.scope.require("global_metrics")
    view.scope.require("org_metrics")
    folder = report_dir(view.settings)
    weeks = saved_weeks(folder)
    built_now = False
    error = ""
    if not weeks:
        try:
            report = weekly_report(view.settings)
        except ReportError as exc:
            error = str(exc)
        else:
            save(report, view.settings)
            weeks, built_now = saved_weeks(folder), True
    asked = (view.query.get("week") or "").strip()
    week = weeks[0] if weeks else None
    if asked:
        try:
            week = date.fromisoformat(asked)
        except ValueError:
            raise BadRequest("'week' must be a date (YYYY-MM-DD), the last day of a saved digest") from None
        if week not in weeks:
            raise NotFound(f"no digest saved for the week ending {asked}")
    document = inline_html(folder, week) if week is not None else ""
    if week is not None:
        view.scope.audit("dashboard.digest", "weekly_digest", week.isoformat())
    context = {
        "weeks": weeks,
        "week": week,
        "document": document,
        "built_now": built_now,
        "error": error,
        "folder": str(folder),
    }
    return Content(context, [])


PAGE = register(
    Page("digest", "Digest", "/digest", "digest.html", build, order=90, requires=("global_metrics", "org_metrics"))
)
