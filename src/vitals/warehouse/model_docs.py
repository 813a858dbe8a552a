"""The dbt docs site of the shipped project (models, columns, lineage, metrics, exposures) as one static page.

``docs_page()`` generates it at most once per version of the project's files, in a separate process (dbt keeps
process-wide state, and a served process may be building at the same moment), with an in-memory DuckDB
profile and an empty database catalog: it describes the project, it reads no warehouse.
``python -m vitals.warehouse.model_docs DIR`` writes it into DIR.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from vitals.warehouse.build_state import fingerprint
from vitals.warehouse.manifest import PROJECT_DIR, ManifestError, cache_dir, run_dbt

PAGE = "static_index.html"
_LOCK = threading.Lock()


def docs_page() -> Path:
    """The docs site's page for the shipped project (generated on first use, then kept)."""
    directory = cache_dir() / f"docs-{fingerprint(PROJECT_DIR, {})}"
    page = directory / "target" / PAGE
    with _LOCK:
        if not page.exists():
            done = subprocess.run(
                [sys.executable, "-m", "vitals.warehouse.model_docs", str(directory)],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0 or not page.exists():
                raise ManifestError(f"the models' docs could not be generated: {done.stderr.strip()[-500:]}")
    return page


def generate(directory: Path) -> Path:
    """Run ``dbt docs generate --static`` for the shipped project into ``directory``; return the page."""
    run_dbt(["parse"], PROJECT_DIR, directory)  # docs generate --no-compile reads the manifest parse writes
    run_dbt(["docs", "generate", "--static", "--empty-catalog", "--no-compile"], PROJECT_DIR, directory)
    return directory / "target" / PAGE


if __name__ == "__main__":
    print(generate(Path(sys.argv[1])))
