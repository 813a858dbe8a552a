"""How the read layer reaches the warehouse: a ``Source`` names what a read selects from, and a ``Reader`` runs
it. The API and the dashboard read through their token's ``Scope`` (``vitals.api.scope``), which adds the
filter of the token's role and audits reads of org data; the CLI, the alerts and the weekly digest read
through ``WarehouseReader``, the whole warehouse as its owner sees it. Every query of ``vitals.metrics`` is
written once, against this interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vitals.warehouse.base import Warehouse, WarehouseError

Kind = Literal["org", "long", "global"]


@dataclass(frozen=True)
class Source:
    """Where a read selects from: SQL after ``from`` (``{core}`` = the core schema), its kind, and the
    expressions of its org column (``org`` kind) or its entity columns (``long`` kind)."""

    sql: str
    kind: Kind
    org_column: str = "org_id"
    entity_type_column: str = "entity_type"
    entity_id_column: str = "entity_id"


class Reader:
    """What the read layer reads through: ``select`` and ``count`` over a ``Source``, with the hooks a reader
    with a reach overrides (``where``: the conditions it adds; ``audited``: the record of a read of org data;
    ``org_id``, ``allows``, ``entity``: what it may read)."""

    warehouse: Warehouse

    @property
    def org_id(self) -> str | None:
        """The one org the reader is limited to, or None."""
        return None

    def allows(self, feature: Any) -> bool:
        """Whether the reader may use ``feature`` (``org_metrics``, ``global_metrics``, ...)."""
        return True

    def entity(self, org: str | None) -> tuple[str, str]:
        """The (entity_type, entity_id) a metric read is about: ``org`` when given, else global."""
        return ("org", org.strip().lower()) if org else ("global", "global")

    def where(self, source: Source) -> tuple[list[str], list[Any]]:
        """The conditions (and their parameters) the reader adds to reads of ``source``."""
        return [], []

    def audited(self, source: Source, action: str, target: str, detail: str, org_level: bool) -> None:
        """Called after each ``select``; ``org_level`` is False for a read the caller limited to global rows
        or audits itself."""

    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """All rows of ``sql`` as dicts."""
        return rows_as_dicts(self.warehouse, sql, params)

    def _sql(
        self, source: Source, columns: str, conditions: Sequence[str], params: Sequence[Any]
    ) -> tuple[str, list[Any]]:
        scoped, scoped_params = self.where(source)
        clauses = [*conditions, *scoped]
        sql = f"select {columns} from {source.sql.replace('{core}', self.warehouse.core_schema)}"
        if clauses:
            sql += " where " + " and ".join(f"({c})" for c in clauses)
        return sql, [*params, *scoped_params]

    def select(
        self,
        source: Source,
        *,
        columns: str = "*",
        conditions: Sequence[str] = (),
        params: Sequence[Any] = (),
        group_by: str = "",
        order_by: str = "",
        limit: int | None = None,
        offset: int = 0,
        action: str = "read",
        target: str = "",
        org_level: bool = True,
    ) -> list[dict[str, Any]]:
        """Rows of ``source`` the reader may read under ``conditions``, as dicts."""
        sql, all_params = self._sql(source, columns, conditions, params)
        if group_by:
            sql += f" group by {group_by}"
        if order_by:
            sql += f" order by {order_by}"
        if limit is not None:
            sql += f" limit {int(limit)} offset {int(offset)}"
        rows = self.rows(sql, all_params)
        self.audited(source, action, target or source.sql.split()[0], f"{len(rows)} rows", org_level)
        return rows

    def count(self, source: Source, *, conditions: Sequence[str] = (), params: Sequence[Any] = ()) -> int:
        """How many rows of ``source`` the reader may read under ``conditions``."""
        sql, all_params = self._sql(source, "count(*)", conditions, params)
        return int(self.warehouse.query(sql, all_params)[0][0])


@dataclass
class WarehouseReader(Reader):
    """The whole warehouse, unscoped and unaudited: the reader of the CLI, the alerts and the digest (the
    process that owns the warehouse)."""

    warehouse: Warehouse


def rows_as_dicts(warehouse: Warehouse, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """All rows of a (small) query with ``?`` placeholders, as dicts by column name."""
    if warehouse.engine == "duckdb":
        cur = warehouse.con.execute(sql, list(params))  # type: ignore[attr-defined]
        names = [d[0] for d in cur.description]
    elif warehouse.engine == "postgres":
        cur = warehouse.con.execute(sql.replace("?", "%s"), list(params))  # type: ignore[attr-defined]
        names = [d.name for d in cur.description or []]
    elif warehouse.engine == "spark":
        rows = warehouse.spark.sql(sql, args=list(params) or None).collect()  # type: ignore[attr-defined]
        return [row.asDict() for row in rows]
    else:
        raise WarehouseError(f"no reads on the {warehouse.engine} engine; use duckdb, postgres or spark")
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
