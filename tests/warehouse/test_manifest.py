"""The project's manifest: parsed once per version of the project's files and kept; a project dbt refuses is
reported with dbt's reason."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from vitals.warehouse import manifest as manifest_module
from vitals.warehouse.manifest import PROJECT_DIR, ManifestError, manifest_for


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("project") / "transform"
    shutil.copytree(PROJECT_DIR, target, ignore=shutil.ignore_patterns("target", "logs"))
    return target


def test_the_manifest_is_parsed_once_and_kept(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = manifest_for(project_copy, tmp_path)
    assert "metric.vitals.mrr_cents" in first["metrics"]
    assert any(name.startswith("semantic_model.vitals.") for name in first["semantic_models"])
    kept = list(tmp_path.glob("manifest-*.json"))
    assert len(kept) == 1

    def refuse(*args: Any) -> dict[str, Any]:
        raise AssertionError("parsed again although the project did not change")

    monkeypatch.setattr(manifest_module, "parse", refuse)
    assert manifest_for(project_copy, tmp_path)["metrics"].keys() == first["metrics"].keys()

    kept[0].write_text("{not json")
    monkeypatch.undo()
    assert manifest_for(project_copy, tmp_path)["metrics"].keys() == first["metrics"].keys(), "a damaged copy is redone"


def test_a_changed_project_is_parsed_again_and_refusals_name_the_reason(project_copy: Path, tmp_path: Path) -> None:
    manifest_for(project_copy, tmp_path)
    broken = project_copy / "models" / "metrics" / "_broken__semantic.yml"
    broken.write_text(
        "version: 2\nmetrics:\n  - name: second_mrr\n    label: MRR (currency units)\n    type: simple\n"
        "    type_params:\n      measure: mrr_cents_daily\n"
    )
    try:
        with pytest.raises(ManifestError, match=r"dbt parse failed: .*label `MRR \(currency units\)`"):
            manifest_for(project_copy, tmp_path)
    finally:
        broken.unlink()
