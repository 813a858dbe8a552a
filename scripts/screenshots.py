"""Screenshots of dashboard pages for the README, taken from the demo warehouse.

Starts `vitals serve` on a free port over the warehouse the settings point at (``vitals.duckdb`` after
`vitals demo --no-serve`), creates an admin token, logs in with Playwright driving Debian's Chromium and saves
one PNG per page to docs/images/. A page that answers 404 (not part of this version) is skipped with a message;
any other error fails.

    python scripts/screenshots.py                      # /, /customer-success and /product
    python scripts/screenshots.py / /reliability --out docs/images
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from vitals.api.tokens import TokenStore
from vitals.config import load_settings
from vitals.warehouse import open_warehouse

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DEFAULT_PAGES = ("/", "/customer-success", "/product")
NAMES = {"/": "executive"}


def image_name(path: str) -> str:
    """``/`` is ``executive.png``; ``/customer-success`` is ``customer-success.png``."""
    return NAMES.get(path, path.strip("/").replace("/", "-") or "executive") + ".png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=list(DEFAULT_PAGES), help="page paths (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("docs/images"), help="folder of the PNGs")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)

    settings = load_settings()
    with open_warehouse(settings) as warehouse:
        if not warehouse.table_exists(warehouse.core_schema, "metrics_daily"):
            print("the warehouse is not built: run `vitals demo --no-serve` (or `make demo`) first", file=sys.stderr)
            return 2
        record, token = TokenStore(warehouse).create("admin", name=f"screenshots-{uuid.uuid4().hex[:8]}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"vitals-screenshots-{port}.log"
    env = {**os.environ, "VITALS_SERVE__BUILD_INTERVAL_MINUTES": "100000", "VITALS_DASHBOARD__REFRESH_SECONDS": "0"}
    with log.open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "vitals", "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        _wait_ready(url, server, log)
        return _shoot(url, token, args.pages, args.out, (args.width, args.height), args.full_page)
    finally:
        server.terminate()
        server.wait(timeout=30)
        with open_warehouse(settings) as warehouse:
            TokenStore(warehouse).revoke(record.name)


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"vitals serve exited with {server.returncode}; see {log}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"vitals serve was not ready in 120 s; see {log}")


def _shoot(url: str, token: str, paths: list[str], out: Path, size: tuple[int, int], full_page: bool) -> int:
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="vitals-screenshots-"))
    failed = 0
    try:
        with sync_playwright() as driver:
            context = driver.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": size[0], "height": size[1]},
            )
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url + "/login")
            page.fill("#token", token)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            for path in paths:
                response = page.goto(url + path)
                status = response.status if response is not None else 0
                if status == 404:
                    print(f"skipped {path}: the dashboard has no such page (404)")
                    continue
                if status != 200:
                    print(f"failed {path}: HTTP {status}", file=sys.stderr)
                    failed += 1
                    continue
                page.wait_for_load_state("networkidle")
                target = out / image_name(path)
                page.screenshot(path=str(target), full_page=full_page)
                print(f"saved {target} ({path})")
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
