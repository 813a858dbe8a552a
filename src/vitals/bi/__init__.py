"""BI access: the read-only snapshot BI tools open while `vitals serve` owns the DuckDB warehouse
(``vitals.bi.snapshot``), and the Superset bundle generated from the metric catalog (``vitals.bi.superset``)."""
