"""Every kind of source mess is present, and each stays recoverable by the documented normalization."""

from __future__ import annotations

import duckdb

UUID = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"
CREATION = "('org_created', 'org_signup', 'provider_created')"


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    row = db.sql(sql).fetchone()
    assert row is not None
    return row


def test_ids_in_upper_case_padded_or_null_tokens(db: duckdb.DuckDBPyConnection) -> None:
    upper, padded, provider_upper, user_upper, null_tokens = _one(
        db,
        """
        select
            count(*) filter (where org_id <> lower(org_id)),
            count(*) filter (where org_id <> trim(org_id)),
            count(*) filter (where provider_id <> lower(provider_id)),
            count(*) filter (where user_id <> lower(user_id)),
            count(*) filter (where provider_id in ('null', 'None'))
        from e
        """,
    )
    assert min(upper, padded, provider_upper, user_upper, null_tokens) > 0
    bad_after_normalizing = _one(
        db,
        f"""
        select count(*) from e
        where org_id <> trim(org_id) and not regexp_matches(lower(trim(org_id)), {UUID})
        """,
    )
    assert bad_after_normalizing == (0,)


def test_org_level_events_have_an_empty_provider(db: duckdb.DuckDBPyConnection) -> None:
    with_provider, without = _one(
        db,
        """
        select count(*) filter (where coalesce(provider_id, '') <> ''), count(*)
        from e where event_name in ('org_created', 'org_signup')
        """,
    )
    assert with_provider == 0 and without > 0


def test_events_of_unknown_orgs(db: duckdb.DuckDBPyConnection) -> None:
    empty, not_uuid = _one(
        db,
        f"""
        select
            count(*) filter (where coalesce(org_id, '') = ''),
            count(*) filter (where coalesce(org_id, '') <> '' and not regexp_matches(lower(trim(org_id)), {UUID}))
        from e where event_name not in {CREATION}
        """,
    )
    assert empty + not_uuid > 0


def test_duplicates_are_redelivered_later_and_otherwise_identical(db: duckdb.DuckDBPyConnection) -> None:
    duplicated, differing = _one(
        db,
        """
        select count(*), count(*) filter (where variants > 1 or deliveries < copies)
        from (
            select
                count(*) as copies,
                count(distinct occurred_at || event_name || coalesce(properties, '')) as variants,
                count(distinct cast(_ingest_ts as timestamptz)) as deliveries
            from e group by event_id having count(*) > 1
        )
        """,
    )
    assert duplicated > 0 and differing == 0
    dup_errors = _one(db, "select count(*) - count(distinct event_id) from s")
    assert dup_errors[0] > 0


def test_invalid_json_and_phi_in_properties(db: duckdb.DuckDBPyConnection) -> None:
    invalid, truncated, phi, phi_keys_valid = _one(
        db,
        """
        select
            count(*) filter (where not json_valid(properties)),
            count(*) filter (where not json_valid(properties) and properties like '{"%'),
            count(*) filter (where event_name = 'note_submit' and properties like '%"patient_name"%'),
            count(*) filter (where event_name = 'note_submit'
                             and (case when json_valid(properties) then properties ->> 'note_text' end) is not null)
        from e
        """,
    )
    assert invalid > 0 and truncated > 0 and phi > 0 and phi_keys_valid > 0


def test_timestamps_mostly_utc_text_some_iso_with_offset(db: duckdb.DuckDBPyConnection) -> None:
    plain, with_offset, other, total = _one(
        db,
        r"""
        select
            count(*) filter (where regexp_matches(occurred_at, '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$')),
            count(*) filter (where regexp_matches(occurred_at, '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$')),
            count(*) filter (where try_cast(occurred_at as timestamptz) is null),
            count(*)
        from e
        """,
    )
    assert other == 0
    assert plain + with_offset == total
    assert 0 < with_offset < 0.1 * total
    for table, column in (("s", "created_at"), ("b", "_ingest_ts")):
        count = _one(db, f"select count(*) from {table} where {column} like '%T%'")
        assert count[0] > 0


def test_ingest_sources(db: duckdb.DuckDBPyConnection) -> None:
    rows = dict(db.sql("select _ingest_source, count(*) from e group by 1").fetchall())
    assert set(rows) == {"frontend_logger", "api_logger"}
    assert {r[0] for r in db.sql("select distinct _ingest_source from b").fetchall()} == {"stripe_webhook"}
    assert {r[0] for r in db.sql("select distinct _ingest_source from s").fetchall()} == {"sentry_webhook"}


def test_invoice_org_ids_are_sometimes_messy(db: duckdb.DuckDBPyConnection) -> None:
    messy = _one(db, "select count(*) from b where org_id <> lower(trim(org_id))")
    assert messy[0] > 0
