"""`quire api` and `quire run` stop cleanly on SIGTERM (a service manager) and SIGINT
(Ctrl+C): a request in flight gets its answer, the exit code is 0, and nothing they
started is left running, the embedded Redis included."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
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
SIGNALS = pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"]
)
SIGNIN = {"email": "nobody@example.org", "password": "not the password at all"}


def _busy_moment(base: str) -> None:
    """Concurrent readiness checks: each pings Redis, so the server's pool holds several
    connections (which once kept the embedded Redis running after exit)."""
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: httpx.get(f"{base}/api/ready").status_code, range(48)))
    assert set(codes) == {200}, codes


def _begin_request(base: str) -> tuple[socket.socket, bytes]:
    """A sign-in whose body is still being sent: in flight when the signal comes."""
    body = json.dumps(SIGNIN).encode()
    host = base.removeprefix("http://")
    head = (
        f"POST /api/auth/signin HTTP/1.1\r\nHost: {host}\r\nOrigin: {base}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    address, port = host.split(":")
    sock = socket.create_connection((address, int(port)), timeout=30)
    sock.sendall(head + body[:10])
    time.sleep(0.3)  # the server has read the headers and is waiting for the body
    return sock, body[10:]


def _end_request(sock: socket.socket, rest: bytes) -> int:
    """Send the rest of the body, slowly (longer than a hurried shutdown would wait)."""
    time.sleep(2.5)  # `quire run` used to cut requests off 2 s into a shutdown
    sock.sendall(rest)
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    return int(reply.split(b" ", 2)[1])


def _stop(
    process: subprocess.Popen[str], base: str, signum: int, started: list[psutil.Process]
) -> None:
    """Signal `process` during a request; check the request, the exit and what is left."""
    sock, rest = _begin_request(base)
    process.send_signal(signum)
    assert _end_request(sock, rest) in {401, 429}  # answered (refused), not cut off
    assert wait_exit(process, within=20) == 0
    assert survivors(started) == []


@SIGNALS
def test_quire_api_stops_cleanly(tmp_path: Path, signum: int) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = api_env(tmp_path, base)
    api = subprocess.Popen(  # an embedded Redis: no QUIRE_REDIS_URL
        [QUIRE, "api", "--port", str(port)], env=env, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_ready(base, api)
    _busy_moment(base)
    started = [*psutil.Process(api.pid).children(recursive=True), *redis_servers_under(tmp_path)]
    assert started, "no embedded Redis found"

    _stop(api, base, signum, started)


@SIGNALS
def test_quire_run_stops_cleanly(
    platform: tuple[str, str, subprocess.Popen[str]], tmp_path: Path, signum: int
) -> None:
    base, _password, run = platform
    _busy_moment(base)
    deadline = time.monotonic() + 30
    while len(children := psutil.Process(run.pid).children(recursive=True)) < 2:
        assert time.monotonic() < deadline, "the worker did not start its scheduler"
        time.sleep(0.1)  # the worker, then its scheduler
    started = [*children, *redis_servers_under(tmp_path)]

    _stop(run, base, signum, started)


def _wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited at start"
        try:
            if httpx.get(f"{base}/api/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")
