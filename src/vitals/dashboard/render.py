"""The Jinja2 environment of the dashboard's templates (autoescaped) and its formatting filters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from vitals.dashboard.datasets import change_text, display, sparkline
from vitals.metrics.health import band_rank

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@cache
def environment() -> Environment:
    """The one environment: templates from the package, HTML autoescaped, undefined names an error."""
    from jinja2 import StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["display"] = lambda value, unit: display(unit, value)
    env.globals["change_text"] = change_text
    env.globals["band_rank"] = band_rank
    env.globals["sparkline"] = lambda values: Markup(sparkline(values))
    return env


def render(template: str, context: dict[str, object]) -> str:
    """The rendered page."""
    return environment().get_template(template).render(**context)
