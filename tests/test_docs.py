"""Docs are tested: every setting, CLI command and the two README commands are documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from vitals.cli_reference import render_cli_reference
from vitals.config import Settings
from vitals.metrics import catalog_reference
from vitals.metrics.catalog import default_catalog

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text()
    assert written == render_cli_reference(), "docs/cli.md is stale: run `make docs`"


def test_metric_reference_is_current() -> None:
    written = (ROOT / "docs" / "metrics" / "catalog.md").read_text()
    assert written == catalog_reference.render(default_catalog()), "docs/metrics/catalog.md is stale: run `make docs`"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for name, info in Settings.model_fields.items():
        assert f"`{name}`" in text, f"setting {name} is not in docs/configuration.md"
        default = info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]
        if isinstance(default, BaseModel):
            assert f"[{name}]" in text, f"section [{name}] is not in docs/configuration.md"
            for field in type(default).model_fields:
                assert f"`{field}`" in text, f"setting {name}.{field} is not in docs/configuration.md"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make demo$", readme, re.M)
    assert re.search(r"^make test$", readme, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec make test" in ci


def test_every_local_link_in_the_docs_resolves() -> None:
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, f"links to missing files: {broken}"
