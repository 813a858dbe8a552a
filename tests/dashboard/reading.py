"""Helpers for the page tests: a dataset's CSV as rows, and reads of the built warehouse's marts."""

from __future__ import annotations

import csv
import io
from typing import Any

import duckdb
from playwright.sync_api import Page

from tests.alerts.generated import Built
from tests.dashboard.conftest import Served


def csv_rows(page: Page, served: Served, dataset: str) -> list[dict[str, str]]:
    """The rows of the dataset's CSV download (the link on the page, with its filters)."""
    href = page.locator(f"section#{dataset} a.csv").get_attribute("href")
    assert href, f"{dataset} has no CSV link"
    response = page.request.get(served.url + href)
    assert response.status == 200, response.text()
    return list(csv.DictReader(io.StringIO(response.text())))


def mart(built: Built, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a query over the built warehouse (the served copy's original), read-only."""
    with duckdb.connect(str(built.warehouse), read_only=True) as connection:
        cursor = connection.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def number(text: str) -> float | None:
    """A CSV cell as a number (empty: None)."""
    return float(text) if text != "" else None


def apply(page: Page, **choices: str) -> None:
    """Pick filters in the bar (selects by name, date inputs by name) and submit."""
    for name, value in choices.items():
        field = page.locator(f"form.filters [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
