"""What a load did, per raw table: rows read, inserted and skipped, and how long it took."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableLoad:
    """One raw table's share of a load."""

    table: str
    source: str
    """The file path, or the Postgres source (host:port/database/table, no credentials)."""
    rows_read: int = 0
    rows_inserted: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """Anything the reader should know (ignored source columns, cursor movement)."""

    @property
    def rows_skipped(self) -> int:
        """Rows already in the raw table, or repeated within this load."""
        return self.rows_read - self.rows_inserted

    @property
    def rows_per_second(self) -> float:
        """Read throughput."""
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


@dataclass
class LoadReport:
    """Everything one load call did; ``str()`` renders it for a terminal."""

    load_id: str
    tables: list[TableLoad] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Rows read over all tables."""
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_inserted(self) -> int:
        """Rows inserted over all tables."""
        return sum(t.rows_inserted for t in self.tables)

    @property
    def rows_skipped(self) -> int:
        """Rows skipped (already present) over all tables."""
        return sum(t.rows_skipped for t in self.tables)

    def table(self, name: str) -> TableLoad:
        """The entry of one raw table; ``KeyError`` when the load did not touch it."""
        for entry in self.tables:
            if entry.table == name:
                return entry
        raise KeyError(name)

    def render(self) -> str:
        """A plain-text table: one line per raw table, then notes."""
        header = ("table", "source", "read", "inserted", "skipped", "seconds")
        rows = [
            (
                t.table,
                t.source,
                f"{t.rows_read:,}",
                f"{t.rows_inserted:,}",
                f"{t.rows_skipped:,}",
                f"{t.seconds:.1f}",
            )
            for t in self.tables
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        numeric = {2, 3, 4, 5}

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(
                cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]) for i, cell in enumerate(cells)
            ).rstrip()

        out = [f"load {self.load_id}", line(header), *(line(r) for r in rows)]
        out.extend(f"  {t.table}: {note}" for t in self.tables for note in t.notes)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()
