"""``python -m vitals.generate OUT_DIR [--orgs N] [--days N] [--events N] [--format F] ...``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from vitals.generate.runner import generate
from vitals.generate.writers import FORMATS


def main(argv: list[str] | None = None) -> None:
    """Generate the raw tables into a directory and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m vitals.generate", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv")
    parser.add_argument("--end", type=date.fromisoformat, default=None)
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--timezone", default="America/Los_Angeles")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    result = generate(
        args.out_dir,
        orgs=args.orgs,
        days=args.days,
        seed=args.seed,
        fmt=args.fmt,
        end=args.end,
        events=args.events,
        timezone=args.timezone,
        progress=not args.quiet,
    )
    for name, rows in result.rows.items():
        print(f"{name}: {rows:,} rows -> {result.paths[name]}")
    print(f"{result.orgs} orgs, {result.providers} providers, {result.elapsed_seconds:.1f} s")


if __name__ == "__main__":
    main()
