"""What every webhook receiver shares: reading a bounded body, the coalescing background flatten, the repair
of a DuckDB index after a crash, and a settings source for comma-separated signing secrets given in one
environment variable."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:  # vitals.warehouse imports the settings, which import this module
    from vitals.warehouse.base import Warehouse

T = TypeVar("T", bound=BaseModel)


class BodyTooLarge(Exception):
    """The request body is larger than the receiver accepts (answer 413, store nothing)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused as soon as it is known to exceed ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The exception handler of ``ClientDisconnect``: the client left mid-body, nobody reads the answer;
    no traceback is logged (an app registers it with ``add_exception_handler``)."""
    return Response(status_code=400)


class CoalescingRunner:
    """Runs ``work`` after deliveries, one run at a time: a delivery arriving during a run makes the run
    happen once more instead of queueing another (deliveries coalesce). A failure is logged; the stored
    deliveries make the next run catch up."""

    def __init__(self, work: Callable[[], Any], log: logging.Logger, what: str) -> None:
        self._work = work
        self._log = log
        self._what = what
        self._lock = threading.Lock()
        self._pending = False

    def run_soon(self) -> None:
        """Run now, or, when a run is under way, make it run once more."""
        self._pending = True
        while self._pending and self._lock.acquire(blocking=False):
            try:
                self._pending = False
                self._work()
            except Exception as exc:
                self._log.error("%s failed: %s: %s", self._what, type(exc).__name__, exc)
                return
            finally:
                self._lock.release()


def rebuild_duckdb_index(
    warehouse: Warehouse, schema: str, table: str, index: str, column: str, *, unique: bool
) -> int:
    """Drop and create an index of a DuckDB table again; the duplicate rows removed (first stored kept).

    DuckDB 1.5 loses the index entries of the rows it replays from its write-ahead log after a crash once
    that first connection checkpoints: from then on a lookup by the column misses those rows and the unique
    constraint no longer holds for them. The receivers look deliveries up by key (duplicate checks, the
    flatten), so the index is rebuilt whenever a crash may have happened (start-up, `vitals build`).
    Other engines: nothing to do."""
    if warehouse.engine != "duckdb" or not warehouse.table_exists(schema, table):
        return 0
    name = f"{schema}.{table}"
    warehouse.execute(f"drop index if exists {schema}.{index}")
    removed = 0
    if unique:
        before = int(warehouse.query(f"select count(*) from {name}")[0][0])
        warehouse.execute(f"delete from {name} where rowid not in (select min(rowid) from {name} group by {column})")
        removed = before - int(warehouse.query(f"select count(*) from {name}")[0][0])
    warehouse.execute(f"create {'unique ' if unique else ''}index {index} on {name} ({column})")
    return removed


class SecretsEnvSource(PydanticBaseSettingsSource):
    """Maps one environment variable of comma-separated secrets to ``<field>.<key>``.

    Place it right after the environment source so it beats ``vitals.toml`` and loses to keyword arguments."""

    def __init__(self, settings_cls: type[BaseSettings], env: str, field: str, key: str) -> None:
        super().__init__(settings_cls)
        self.env, self.field, self.key = env, field, key

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        value = os.environ.get(self.env)
        if value is None:
            return {}
        return {self.field: {self.key: value}}


def split_secrets(value: Any) -> Any:
    """``"a, b"`` -> ``["a", "b"]`` (a field validator for secrets given as one comma-separated text)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def settings_section(settings: Any, name: str, section: type[T], env: str, key: str) -> T:
    """``settings.<name>`` when it is a ``section``; for an object without one, the section's defaults with the
    secrets from the environment variable ``env`` (as ``key``)."""
    found = getattr(settings, name, None)
    if isinstance(found, section):
        return found
    secrets = os.environ.get(env)
    return section.model_validate({key: secrets}) if secrets is not None else section()
