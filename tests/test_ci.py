"""`.ci/run` gates on the linters: `make lint` runs first and a lint failure stops CI before the tests."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fake_tools(bin_dir: Path, calls: Path, failing_target: str | None) -> dict[str, str]:
    """A ``make`` that records its target (and fails for ``failing_target``) and a ``pg_isready`` that says yes."""
    bin_dir.mkdir()
    make = bin_dir / "make"
    fail = f'[ "$1" = "{failing_target}" ] && exit 3\n' if failing_target else ""
    make.write_text(f'#!/usr/bin/env bash\necho "$1" >> "{calls}"\n{fail}exit 0\n')
    ready = bin_dir / "pg_isready"
    ready.write_text("#!/usr/bin/env bash\nexit 0\n")
    for tool in (make, ready):
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize(("failing", "expected", "code"), [(None, ["lint", "test"], 0), ("lint", ["lint"], 3)])
def test_ci_runs_lint_then_tests(tmp_path: Path, failing: str | None, expected: list[str], code: int) -> None:
    calls = tmp_path / "calls"
    env = fake_tools(tmp_path / "bin", calls, failing)
    done = subprocess.run([str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert calls.read_text().split() == expected
