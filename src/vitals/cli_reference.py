"""Render the CLI reference (docs/cli.md) from the commands themselves, so it never drifts."""

from __future__ import annotations

from typing import Any

import typer.main

from vitals.cli import app

INTRO = [
    "## Output formats",
    "",
    "Every command that prints rows takes `--format table|csv|json`. `table` is for people and fits the "
    "terminal: cells wrap at spaces, and when the columns cannot sit side by side even then, each row is "
    "printed as a block of `column  value` lines; no value is cut short. `csv` and `json` print every row "
    "(`--limit` caps the table only); JSON keeps numbers as numbers and prints NaN as `null`.",
    "",
    "CSV is safe to open in a spreadsheet: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage "
    "return is written with a leading `'`, so Excel, LibreOffice and Google Sheets show it instead of running "
    "it as a formula (numbers, negative ones included, are written as they are). Programs that need every cell "
    "byte for byte pass `--csv-raw`.",
    "",
    "## `vitals sql` is read-only",
    "",
    "By default `vitals sql` cannot change the warehouse: DuckDB opens the file read-only (DROP, DELETE, "
    "TRUNCATE, INSERT, UPDATE and CREATE are refused); PostgreSQL runs the one statement in a `READ ONLY` "
    "transaction that is rolled back and takes only `select`, `with`, `values`, `table`, `show` and `explain` "
    "(so no `COPY ... TO` a server file or program, and no `select 1; commit; drop ...`); Spark takes only "
    "statements that read. `--write` allows changes after a confirmation prompt (`--yes` skips it). On DuckDB, "
    "with or without `--write`, the query reaches no file, extension or other database: external access is "
    "off (`read_csv('/etc/passwd')`, `COPY ... TO`, `ATTACH`, `EXPORT DATABASE` are refused), extensions are "
    "never installed or loaded (`INSTALL` never touches the network) and the configuration is locked so the "
    "query cannot turn either back on. Give the PostgreSQL role vitals uses no superuser rights: server file "
    "functions such as `pg_read_file` are a privilege of the role, not of the transaction.",
    "",
]
"""What holds for every command, above the per-command reference."""


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
        *INTRO,
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
