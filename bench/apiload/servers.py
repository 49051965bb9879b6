"""The servers a run starts and stops: its own redis-server, uvicorn, `quire worker`, and a
fresh PostgreSQL schema. Every port is a free one; nothing shared is touched."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def wait_listening(pid: int, port: int, count: int, timeout: float = 60) -> None:
    """Wait until `count` processes under `pid` listen on `port`: with a socket per
    worker, connections made before a worker listens all stay with the others."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = 0
        for proc in psutil.Process(pid).children(recursive=True):
            try:
                held = proc.net_connections("tcp")
            except psutil.Error:
                continue
            found += any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in held)
        if found >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"{count} server processes did not all listen on port {port}")


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it does not go; never raises for a process already gone."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class RedisServer:
    """The run's own redis-server on a free port (never the machine's 6379): it can be
    stopped and started again on the same port, as an outage would."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or str(Path(sys.executable).parent / "redis-server")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir), "--loglevel", "warning"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def python_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a server process: this checkout's code first on the path."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def quire_env(workdir: Path, *, origin: str, database_url: str, redis_url: str) -> dict[str, str]:
    """Settings of the API and the worker: limits off, every comment approved at once."""
    return {
        "QUIRE_ENV": "development",
        "QUIRE_DATABASE_URL": database_url,
        "QUIRE_REDIS_URL": redis_url,
        "QUIRE_MANIFEST_PATH": str(workdir / "public" / "quire-manifest.json"),
        "QUIRE_SITE_ORIGINS": json.dumps([origin]),
        "QUIRE_COOKIE_SECURE": "false",
        "QUIRE_MODERATION": "none",
        "QUIRE_COMMENTS_PER_MINUTE": "1000000",
        "QUIRE_LIKES_PER_MINUTE": "1000000",
        "QUIRE_DATA_DIR": str(workdir / "data"),
        "QUIRE_PUBLISH_TARGET": f"file://{workdir / 'bucket'}",
    }


def start_uvicorn(
    env: dict[str, str], port: int, workers: int, cwd: Path
) -> subprocess.Popen[bytes]:
    """The API as shipped, `quire api --workers N` (uvicorn in N processes, a socket each);
    its log goes to `cwd`/api.log."""
    command = [sys.executable, "-c", "from interactions_api.cli import main; main()", "api"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with (cwd / "api.log").open("ab") as log:
        return subprocess.Popen(command, env=python_env(env), cwd=cwd, stdout=log, stderr=log)


def log_errors(log: Path, top: int = 5) -> list[str]:
    """The exceptions a server logged, most frequent first: 'count  last line'."""
    if not log.exists():
        return []
    found: dict[str, int] = {}
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].startswith(" ")), i)
            found[lines[end][:150]] = found.get(lines[end][:150], 0) + 1
    ranked = sorted(found.items(), key=lambda kv: -kv[1])[:top]
    return [f"{count:6d}  {last}" for last, count in ranked]


def start_worker(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """A real `quire worker` (RQ worker, scheduler and reconciler) on the run's Redis."""
    code = "from interactions_api.cli import main; main()"
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, "worker"],
            env=python_env(env),
            cwd=cwd,
            stdout=out,
            stderr=out,
        )


def sqlalchemy_pg(url: str) -> str:
    """A postgresql:// URL as SQLAlchemy's psycopg 3 URL."""
    for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    raise SystemExit(f"--pg must be a postgresql:// URL, not {url!r}")


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server at `url`, dropped afterwards; yields its URL."""
    import sqlalchemy as sa

    base = sqlalchemy_pg(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
