"""The one exception of the loaders: what could not be landed, and where."""

from __future__ import annotations

from vitals.errors import VitalsError

VALUE_PREVIEW_CHARS = 80
"""Longer offending values are cut to this many characters in messages."""


class LoadError(VitalsError):
    """A source could not be landed; nothing of it was written.

    The message names the file (or source table), the row (1 = first data row), the column and the
    offending value when the problem is a single value; the same facts are kept as attributes.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.row = row
        self.column = column
        self.value = value


def preview(value: str | None) -> str:
    """A value as shown in messages: quoted, cut to ``VALUE_PREVIEW_CHARS`` characters."""
    if value is None:
        return "NULL"
    if len(value) > VALUE_PREVIEW_CHARS:
        value = value[:VALUE_PREVIEW_CHARS] + "…"
    return "'" + value.replace("'", "''") + "'"
