"""Settings that are tables (an id -> a value): written as a TOML table, or as a JSON object where only a string
fits (an environment variable, a generated vitals.toml)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def json_table(shape: str) -> Callable[[Any], Any]:
    """A ``mode="before"`` field validator: a string is parsed as a JSON object (empty: ``{}``); ``shape`` says
    what the table maps, for the error (``"customer id -> org UUID"``)."""

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"must be a table ({shape}) or a JSON object") from exc
        return value

    return parse
