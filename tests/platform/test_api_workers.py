"""`quire api --workers 2`: both workers take connections (each has its own socket), a
worker that dies is replaced, and SIGTERM stops them all with the embedded Redis."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest
from processes import (
    QUIRE,
    api_env,
    free_port,
    reap_redis,
    redis_servers_under,
    survivors,
    wait_exit,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("reap_redis")]
__all__ = ["reap_redis"]  # a fixture, imported to be used
CONNECTIONS = 16  # all on one worker by chance: 2 in 65,536


def _workers(server: subprocess.Popen[str]) -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process(server.pid).children()
        if any("spawn_main" in part for part in p.cmdline())
    ]


def _wait_serving(base: str, server: subprocess.Popen[str], workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited at start"
        listening = sum(bool(_listens(p)) for p in _workers(server))
        try:
            ready = httpx.get(f"{base}/api/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            ready = False
        if ready and listening == workers:
            return
        time.sleep(0.2)
    raise AssertionError("the workers did not all start listening")


def _listens(process: psutil.Process) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN for c in process.net_connections("tcp"))
    except psutil.Error:
        return False


def _holders(server: subprocess.Popen[str], port: int) -> dict[int, int]:
    """Established connections to `port`, by the worker process that holds them."""
    held: dict[int, int] = {}
    for process in _workers(server):
        for c in process.net_connections("tcp"):
            if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port:
                held[process.pid] = held.get(process.pid, 0) + 1
    return held


def _keep_alive_connections(port: int) -> list[socket.socket]:
    opened = []
    for _ in range(CONNECTIONS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        opened.append(sock)
    return opened


def test_two_workers_share_connections_restart_and_stop(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = api_env(tmp_path, base)
    server = subprocess.Popen(  # an embedded Redis, shared by both workers
        [QUIRE, "api", "--port", str(port), "--workers", "2"], env=env, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_serving(base, server, 2)
        opened = _keep_alive_connections(port)
        time.sleep(0.2)
        held = _holders(server, port)
        for sock in opened:
            sock.close()
        assert len(held) == 2, f"connections by worker: {held}"
        assert len(redis_servers_under(tmp_path)) == 1  # one Redis for both workers
        second = subprocess.run(  # another server on the same port: refused, not sharing it
            [QUIRE, "api", "--port", str(port), "--workers", "2"], env=env, text=True,
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 1 and "already served" in second.stderr

        killed = _workers(server)[0]
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        _wait_serving(base, server, 2)
        assert killed.pid not in {p.pid for p in _workers(server)}

        started = [*psutil.Process(server.pid).children(recursive=True)]
        started += redis_servers_under(tmp_path)
        server.send_signal(signal.SIGTERM)
        assert wait_exit(server, within=30) == 0
        assert survivors(started) == []
    finally:
        if server.poll() is None:
            server.kill()
