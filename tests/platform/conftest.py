"""Fixtures for the platform tests: `quire run` as a real process tree on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "inbox"))  # processes.py
from processes import free_port


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """`quire run` in `tmp_path/run`, serving; yields its URL, admin password and process."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from interactions_api.cli import main; main()",
         "run", "--dir", str(tmp_path / "run"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    password = ""
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    for line in proc.stdout:  # the banner comes after the first publish
        found = re.search(r"admin\s+\S+\s+password: (\S+)", line)
        if found:
            password = found.group(1)
            break
        assert time.monotonic() < deadline, "quire run printed no admin account"
    assert password, "quire run exited before printing its banner"
    # Keep reading its output (the worker's log included), or a full pipe would block it.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/ready", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield base, password, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
