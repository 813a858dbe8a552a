"""`vitals demo` ends with the dashboard served: a demo admin token and the URL printed, the token logs in,
and Ctrl-C (SIGINT) stops it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.conftest import free_port, wait_for


def test_demo_serves_the_dashboard_until_interrupted(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    env = {
        **os.environ,
        "VITALS_CONFIG": str(tmp_path / "absent-vitals.toml"),
        "VITALS_STATE_DIR": str(tmp_path / ".vitals"),
        "VITALS_SERVE__PORT": str(port),
        "VITALS_SERVE__BUILD_INTERVAL_MINUTES": "600",
    }
    command = [sys.executable, "-m", "vitals", "demo", "--orgs", "3", "--days", "14"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--warehouse", str(tmp_path / "demo.duckdb")],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                return httpx.get(url + "/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(f"the demo to serve (log: {log})", ready, timeout=300, every=0.5)
        text = log.read_text()
        assert f"dashboard: {url}/" in text
        tokens = re.findall(r"^(vt_\S+)$", text, re.M)
        assert len(tokens) == 1, text[-2000:]
        with httpx.Client(base_url=url, timeout=30) as client:
            login = client.post("/login", data={"token": tokens[0], "next": "/"})
            assert login.status_code == 303 and "vitals_session" in login.cookies
            page = client.get("/")
            assert page.status_code == 200 and "Executive" in page.text
            api = client.get("/api/v1/summary", headers={"Authorization": f"Bearer {tokens[0]}"})
            assert api.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0 or process.returncode in (-signal.SIGINT, 130)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
