"""Render the CLI reference (docs/cli.md) from the commands themselves, so it never drifts."""

from __future__ import annotations

from typing import Any

import typer.main

from vitals.cli import app


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"| `{param.name.upper()}` | argument | {getattr(param, 'help', '') or ''} |"
    names = ", ".join(f"`{o}`" for o in param.opts + param.secondary_opts)
    if param.is_flag and param.secondary_opts:
        default = f"`{param.opts[0] if param.default else param.secondary_opts[0]}`"
    elif param.default is None or param.required:
        default = "required" if param.required else ""
    else:
        default = f"`{param.default}`"
    return f"| {names} | {default} | {param.help or ''} |"


def render_cli_reference() -> str:
    """Markdown for every command: its help text and a table of its options."""
    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands (`make docs`); every command accepts `--help`.",
        "",
    ]
    for path, command in _commands(root, "vitals"):
        lines += [f"## `{path}`", "", (command.help or "").strip(), ""]
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines += ["| option | default | meaning |", "|---|---|---|"]
            lines += [_param_line(p) for p in params]
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_cli_reference(), end="")
