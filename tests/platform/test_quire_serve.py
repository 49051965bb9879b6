"""`quire serve`: the live-reloading preview answers the API on the same port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_previews_the_site_with_the_api_on_one_port(tmp_path: Path) -> None:
    quire = [sys.executable, "-c", "from interactions_api.cli import main; main()"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
    site = tmp_path / "site"
    subprocess.run([*quire, "new", "site", str(site)], check=True, env=env, cwd=tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [*quire, "serve", str(site), "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = httpx.get(f"{base}/api/ready", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None and ready.json() == {
            "status": "ok", "database": "ok", "redis": "ok", "worker": "none",
        }, proc.stderr.read() if proc.poll() is not None else ready  # fmt: skip
        home = httpx.get(f"{base}/")
        assert home.status_code == 200
        assert "/__quire/livereload" in home.text  # the preview's live reload is injected
        # the preview's API keeps its state inside the site folder, not the working folder
        assert (site / ".quire" / "api" / "quire.db").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
