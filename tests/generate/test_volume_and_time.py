"""Volume sizing, the weekly rhythm in business time and DST-correct UTC timestamps."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from .conftest import small_dataset

LOCAL = "(cast(occurred_at as timestamptz) at time zone 'America/Los_Angeles')"


@pytest.mark.parametrize(("orgs", "target"), [(5, 60_000), (50, 30_000)])
def test_events_target_is_met_within_15_percent(tmp_path: Path, orgs: int, target: int) -> None:
    result = small_dataset(tmp_path, orgs=orgs, days=30, events=target)
    assert abs(result.rows["events_big"] - target) <= 0.15 * target
    assert result.orgs >= orgs


def test_bigger_targets_add_orgs_and_providers(tmp_path: Path) -> None:
    base = small_dataset(tmp_path / "base", orgs=5, days=30)
    big = small_dataset(tmp_path / "big", orgs=5, days=30, events=base.rows["events_big"] * 4)
    assert big.orgs > base.orgs
    assert big.providers / big.orgs > base.providers / base.orgs


def test_weekday_late_mornings_are_far_busier_than_weekend_nights(db: duckdb.DuckDBPyConnection) -> None:
    rates = db.sql(
        f"""
        with hours as (
            select date_trunc('hour', {LOCAL}) as hour_start, count(*) as events
            from e
            where event_name not in ('org_created', 'org_signup', 'provider_created')
            group by 1
        )
        select
            sum(events) filter (where isodow(hour_start) <= 4 and hour(hour_start) between 9 and 12)
                / 4.0 / count(distinct cast(hour_start as date)) filter (where isodow(hour_start) <= 4),
            sum(events) filter (where isodow(hour_start) >= 6 and hour(hour_start) < 6)
                / 6.0 / count(distinct cast(hour_start as date)) filter (where isodow(hour_start) >= 6)
        from hours
        """
    ).fetchone()
    assert rates is not None
    peak, quiet = rates
    assert peak > 10 * max(quiet, 1)


def test_local_rhythm_survives_the_dst_change(db: duckdb.DuckDBPyConnection) -> None:
    """Across the 2026-03-08 change, the busiest local hours stay put while UTC hours move by one."""
    rows = db.sql(
        f"""
        select
            cast(occurred_at as timestamptz) >= timestamptz '2026-03-08 10:00:00+00' as after_dst,
            avg(hour({LOCAL})) as local_hour,
            avg((hour(cast(occurred_at as timestamptz) at time zone 'UTC') + 12) % 24) as utc_hour_shifted
        from e
        where event_name = 'note_submit'
          and cast(occurred_at as timestamptz) >= timestamptz '2026-02-09 08:00:00+00'
          and isodow({LOCAL}) <= 5
        group by 1 order by 1
        """
    ).fetchall()
    (_, local_before, utc_before), (_, local_after, utc_after) = rows
    assert abs(local_after - local_before) < 0.4
    assert 0.6 < utc_before - utc_after < 1.4


def test_window_bounds_and_ingest_lag(small_result_window: tuple[str, str], db: duckdb.DuckDBPyConnection) -> None:
    start, end = small_result_window
    outside = db.sql(
        f"""
        select count(*) from e
        where event_name not in ('org_created', 'org_signup', 'provider_created')
          and (cast(occurred_at as timestamptz) < timestamptz '{start}'
               or cast(occurred_at as timestamptz) >= timestamptz '{end}')
        """
    ).fetchone()
    assert outside == (0,)
    lag = db.sql(
        """
        select
            count(*) filter (where cast(inserted_at as timestamptz) < cast(occurred_at as timestamptz)),
            count(*) filter (where cast(_ingest_ts as timestamptz) < cast(inserted_at as timestamptz)),
            max(epoch(cast(inserted_at as timestamptz) - cast(occurred_at as timestamptz)))
        from e
        """
    ).fetchone()
    assert lag is not None
    assert lag[0] == 0 and lag[1] == 0 and lag[2] < 60
