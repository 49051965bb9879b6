"""The soak's faults hit what they claim to: its "an API worker killed" must kill a
process that serves requests, not a helper of uvicorn's supervisor."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from apiload.servers import free_port, python_env, stop, wait_http
from apiload.soak import api_workers

APP = "async def app(scope, receive, send):\n    if scope['type'] != 'http':\n        return\n"
APP += "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
APP += "    await send({'type': 'http.response.body', 'body': b'ok'})\n"


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    (tmp_path / "tinyapp.py").write_text(APP, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "tinyapp:app", "--port", str(port)]
    command += ["--workers", "2", "--log-level", "warning"]
    env = python_env({"PYTHONPATH": str(tmp_path)})
    server = subprocess.Popen(command, cwd=tmp_path, env=env)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_http(origin + "/", timeout=30)
        yield server, origin
    finally:
        stop(server)


def test_the_workers_found_are_the_ones_serving(
    two_workers: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, origin = two_workers
    deadline = time.monotonic() + 20
    while len(found := api_workers(server.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(found) == 2
    serving = {c.pid for c in found}
    # every connection the server holds open belongs to one of the processes found
    with httpx.Client() as client:
        for _ in range(4):
            assert client.get(origin + "/").status_code == 200
        holders = {
            p.pid
            for p in psutil.Process(server.pid).children()
            if any(c.status == psutil.CONN_ESTABLISHED for c in p.net_connections("tcp"))
        }
    assert holders and holders <= serving
