"""The dbt project's manifest: what dbt parses from the models' YAML (models, columns, semantic models,
metrics, exposures), for readers that need the project's metadata without building anything.

``project_manifest()`` parses the shipped project once per version of its files and keeps the result in the
user's cache directory (``$VITALS_CACHE_DIR``, else ``$XDG_CACHE_HOME/vitals``, else ``~/.cache/vitals``), so
later processes read a JSON file instead of running dbt.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from vitals.warehouse.base import WarehouseError
from vitals.warehouse.build_state import fingerprint

PROJECT_DIR = Path(__file__).resolve().parent.parent / "transform"
"""The dbt project shipped inside the package (treated as read-only)."""


class ManifestError(WarehouseError):
    """dbt could not parse the project: the message carries dbt's reason."""


def cache_dir() -> Path:
    """Where parsed manifests are kept."""
    explicit = os.environ.get("VITALS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vitals"


@cache
def project_manifest() -> dict[str, Any]:
    """The shipped project's manifest as JSON data (parsed at most once per version of the project)."""
    return manifest_for(PROJECT_DIR, cache_dir())


def manifest_for(project_dir: Path, directory: Path) -> dict[str, Any]:
    """The manifest of the dbt project at ``project_dir``, cached in ``directory`` under its fingerprint."""
    key = fingerprint(project_dir, {})
    path = directory / f"manifest-{key}.json"
    if path.exists():
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            return data
        except (OSError, ValueError):
            pass  # a damaged cache entry is parsed again
    data = parse(project_dir, directory / "parse")
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as handle:
        json.dump(data, handle)
    os.replace(handle.name, path)
    return data


def parse(project_dir: Path, work: Path) -> dict[str, Any]:
    """Run ``dbt parse`` on ``project_dir`` and return the manifest it writes; ``ManifestError`` when dbt
    refuses the project."""
    run_dbt(["parse", "--no-partial-parse"], project_dir, work)
    data: dict[str, Any] = json.loads((work / "target" / "manifest.json").read_text())
    return data


def run_dbt(command: list[str], project_dir: Path, work: Path) -> None:
    """Run a dbt command that needs the project but no warehouse (an in-memory DuckDB profile), its artifacts
    under ``work/target``; ``ManifestError`` with dbt's reasons when it fails."""
    from dbt.cli.main import dbtRunner

    work.mkdir(parents=True, exist_ok=True)
    profile = {"vitals": {"target": "parse", "outputs": {"parse": {"type": "duckdb", "path": ":memory:"}}}}
    (work / "profiles.yml").write_text(json.dumps(profile) + "\n")
    args = [
        *command,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(work),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--quiet",
        "--log-level",
        "none",
        "--no-use-colors",
        "--no-version-check",
    ]
    complaints: list[str] = []

    def listen(event: Any) -> None:
        if event.info.level in {"warn", "error"}:
            complaints.append(" ".join(str(event.info.msg).split())[:300])

    outcome = dbtRunner(callbacks=[listen]).invoke(args)
    if not outcome.success:
        reasons = [" ".join(str(outcome.exception).split())] if outcome.exception else []
        reasons += complaints[-5:]
        raise ManifestError(f"dbt {command[0]} failed: " + ("; ".join(reasons) or "see " + str(work / "logs")))
