"""Render a commented ``vitals.toml`` from the Settings fields, so the file and the docs never drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from vitals.config import Settings


def _toml_value(value: Any) -> str:
    if isinstance(value, SecretStr):  # never written to a file: secrets belong in the environment
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, list):
        # secrets are never written to a file: they belong in the environment
        return "[" + ", ".join(_toml_value(v) for v in value if not isinstance(v, SecretStr)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _comment(info: FieldInfo) -> list[str]:
    return [f"# {line}" for line in (info.description or "").splitlines()]


def render_config(settings: Settings | None = None) -> str:
    """A complete, commented vitals.toml with every setting at its current (default) value."""
    settings = settings or Settings()
    lines = [
        "# vitals configuration. Every setting can also be given as an environment variable:",
        "# VITALS_<NAME>, and VITALS_<SECTION>__<NAME> for a setting inside a [section].",
        "",
    ]
    sections: list[tuple[str, BaseModel]] = []
    event_names: dict[str, list[str]] = {}
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            sections.append((name, value))
            continue
        if name == "event_names":
            event_names = value
            continue
        lines += [*_comment(info), f"{name} = {_toml_value(value)}", ""]
    for name, section in sections:
        lines += [*_comment(Settings.model_fields[name]), f"[{name}]"]
        for field, info in type(section).model_fields.items():
            lines += [*_comment(info), f"{field} = {_toml_value(getattr(section, field))}"]
        lines.append("")
    lines += [*_comment(Settings.model_fields["event_names"]), "[event_names]"]
    lines += [f"{canonical} = {_toml_value(names)}" for canonical, names in event_names.items()]
    return "\n".join(lines) + "\n"
