"""Apache Spark warehouse: the same models through dbt-spark (``method: session``), in this process.

One SparkSession per process, configured from the settings; dbt-spark's session method reuses it
(``getOrCreate``), so raw loads, builds and queries all see the same metastore and warehouse dir.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vitals.config import Settings
from vitals.warehouse.base import Warehouse, WarehouseError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration vitals runs with (also handed to dbt-spark as server-side parameters)."""
    warehouse_dir = Path(settings.spark.warehouse_dir).resolve()
    return {
        "spark.master": settings.spark.master,
        "spark.app.name": "vitals",
        "spark.sql.warehouse.dir": str(warehouse_dir),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={warehouse_dir / 'metastore'}",
        "spark.driver.memory": settings.spark.driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(settings.spark.shuffle_partitions),
        "spark.sql.ansi.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.legacy.createHiveTableByDefault": "false",
    }


def spark_session(settings: Settings) -> SparkSession:
    """The process's SparkSession, created with ``spark_conf`` on first use."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a declared dependency
        raise WarehouseError("engine = 'spark' needs pyspark (pip install 'dbt-spark[session]')") from exc
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkWarehouse(Warehouse):
    """A local Spark warehouse (Hive metastore in Derby, Parquet tables under warehouse_dir)."""

    engine = "spark"

    def __init__(self, settings: Settings, core_schema: str = "analytics") -> None:
        Path(settings.spark.warehouse_dir).mkdir(parents=True, exist_ok=True)
        self.core_schema = core_schema
        self.spark = spark_session(settings)

    def text_type(self) -> str:
        return "string"

    def _table_suffix(self) -> str:
        return " using parquet"

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        if sql.strip().lower() in {"begin", "commit", "rollback"}:
            return  # Spark has no transactions; loads stay idempotent by row hash instead
        self.spark.sql(sql, args=list(params) if params else None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql, args=list(params) if params else None).collect()]

    def query_arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        target = self.spark.table(f"{schema}.{table}")
        missing = [f.name for f in target.schema.fields if f.name not in data.column_names]
        for name in missing:
            data = data.append_column(name, pa.nulls(data.num_rows, pa.string()))
        frame = self.spark.createDataFrame(data.select(target.columns))
        frame.write.insertInto(f"{schema}.{table}")

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(f"{schema}.{table}"))

    def begin(self) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None

    def close(self) -> None:
        """Keep the session: dbt-spark in this process reuses it; it stops with the process."""
