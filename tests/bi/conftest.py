"""One generated, loaded and built warehouse per test session, with the BI snapshot published beside it as
`vitals build` and the server's builds publish it."""

from __future__ import annotations

import pytest

from tests.alerts.generated import Built, build_generated
from tests.marts.subscription_dataset import land_story
from vitals.bi.snapshot import publish_after_build
from vitals.config import Settings


@pytest.fixture(scope="session")
def bi_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The generated set (12 orgs, 35 days) with the Stripe subscription story (the generator writes invoices,
    not subscription objects: every subscription chart needs rows), built once per session."""
    built = build_generated(tmp_path_factory.mktemp("bi-generated"), land_more=land_story)
    assert publish_after_build(Settings(warehouse=built.warehouse), built.made.window_end) is not None
    return built
