"""Generated NPS answers: valid, deterministic, drawn from their own random stream (the other sources do not
move), a few per org and month, and lower where an org is struggling."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from vitals.contracts import NPS_RESPONSES
from vitals.generate import GenerateResult, runner
from vitals.generate import nps as nps_module
from vitals.generate import vocab as v
from vitals.generate.orgs import build_population
from vitals.generate.window import Window

from .conftest import END, small_dataset


def responses(result: GenerateResult) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(f"select * from read_csv('{result.paths[NPS_RESPONSES.name]}', all_varchar = true)")


def test_answers_are_valid_and_inside_the_window(small: GenerateResult) -> None:
    rel = responses(small)
    n, low, high, first, last, ids, orgs = rel.aggregate(
        "count(*), min(score::int), max(score::int), min(responded_at::timestamp), max(responded_at::timestamp), "
        "count(distinct response_id), count(distinct org_id)"
    ).fetchone()  # type: ignore[misc]
    assert n == small.rows[NPS_RESPONSES.name] > 0 and ids == n
    assert low >= 0 and high <= 10
    assert small.window_start.replace(tzinfo=None) <= first and last < small.window_end.replace(tzinfo=None)
    assert 8 * 2 <= n <= 8 * 2 * 6, "a few answers per org and month (8 orgs, 60 days)"
    assert orgs >= 5


def test_same_seed_gives_the_same_answers_and_another_seed_others(tmp_path: Path, small: GenerateResult) -> None:
    again = small_dataset(tmp_path / "again")
    other = small_dataset(tmp_path / "other", seed=8)
    path = NPS_RESPONSES.name
    assert again.paths[path].read_bytes() == small.paths[path].read_bytes()
    assert other.paths[path].read_bytes() != small.paths[path].read_bytes()


def test_nps_draws_do_not_move_the_other_sources(
    tmp_path: Path, small: GenerateResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_answers(pop: object, window: object, seed: int) -> pa.Table:
        return pa.table({c: pa.array([], pa.string()) for c in NPS_RESPONSES.column_names})

    monkeypatch.setattr(runner, "render_nps", no_answers)
    without = small_dataset(tmp_path / "without")
    for name, path in small.paths.items():
        if name != NPS_RESPONSES.name:
            assert without.paths[name].read_bytes() == path.read_bytes(), name


def test_struggling_orgs_score_lower() -> None:
    window = Window.build(END, 90, "America/Los_Angeles")
    pop = build_population(11, window, 60)
    table = nps_module.render_nps(pop, window, 11)
    org_index = {org_id: i for i, org_id in enumerate(pop.orgs.ids.to_pylist())}
    by_lifecycle: dict[str, list[int]] = {"healthy": [], "struggling": []}
    for org_id, score in zip(table.column("org_id").to_pylist(), table.column("score").to_pylist(), strict=True):
        lifecycle = int(pop.orgs.lifecycle[org_index[org_id]])
        group = "struggling" if lifecycle in (v.DECLINING, v.CHURNED) else "healthy"
        by_lifecycle[group].append(int(score))

    def nps(scores: list[int]) -> float:
        return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)

    assert by_lifecycle["struggling"], "the population has declining or churned orgs"
    assert nps(by_lifecycle["healthy"]) > 20 > -20 > nps(by_lifecycle["struggling"])
