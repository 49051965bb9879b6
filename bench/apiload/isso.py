"""Isso 0.14 under the same loads: gunicorn with 2 workers, the same 200-comment thread
posted through its API, then listing it and posting new comments through its API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from apiload import wrk
from apiload.measure import Result
from apiload.quire import COMMENTS, body_of
from apiload.servers import ROOT, free_port, stop, wait_http

ISSO_VENV = ROOT / "bench" / ".venv-isso"
ISSO_VERSION = "0.14.0"
URI, WRITES_URI = "/posts/bench/", "/posts/bench-writes/"


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


def _serve(workdir: Path, origin: str, port: int, workers: int) -> subprocess.Popen[bytes]:
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
    env = {"ISSO_SETTINGS": str(config), "PATH": "/usr/bin:/bin"}
    with (workdir / "isso.log").open("wb") as log:  # Isso logs every comment at INFO
        command = [str(ensure_isso() / "bin" / "gunicorn"), "-w", str(workers), "-b"]
        command += [f"127.0.0.1:{port}", "--log-level", "warning", "isso.run"]
        return subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=log,
        )


def _seed(origin: str) -> None:
    headers = {"Origin": origin, "Referer": origin + URI}
    top: list[int] = []
    with httpx.Client(base_url=origin, headers=headers, timeout=30) as client:
        for i in range(COMMENTS):
            parent = top[i % len(top)] if top and i % 4 == 3 else None
            data: dict[str, Any] = {"text": body_of(i), "author": f"Bench {i % 64}"}
            data["title"] = "Bench"
            if parent is not None:
                data["parent"] = parent
            response = client.post("/new", params={"uri": URI}, json=data)
            response.raise_for_status()
            client.cookies.clear()  # Isso sets an edit cookie per comment
            if parent is None:
                top.append(response.json()["id"])
        listed = client.get("/", params={"uri": URI})
    total = listed.json()["total_replies"]
    print(f"isso {ISSO_VERSION}: {total} comments in the thread, {len(listed.content)} bytes")


def phases(args: Any, workdir: Path) -> dict[str, Result]:
    """Listing the thread, then posting comments through Isso's API."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = _serve(workdir, origin, port, args.workers)
    try:
        wait_http(f"{origin}/info")
        _seed(origin)
        target = wrk.Target(
            origin=origin,
            list_path="/?uri=" + quote(URI, safe=""),
            post_path="/new?uri=" + quote(WRITES_URI, safe=""),
            idle_path="/info",
        )
        found: dict[str, Result] = {}
        for kind, name, conns in (
            ("list", "list 200 comments", args.connections),
            ("isso", "post comments", args.write_connections),
        ):
            names = {kind: f"isso   {name} ({conns} conns)"}
            (result,) = wrk.measure(
                target, {kind: 1}, connections=conns, duration=args.duration,
                names=names, server_pids=[server.pid],
            ).values()  # fmt: skip
            print(result.line())
            print(f"{'':<8}{result.cpu}")
            found[kind] = result
        return found
    finally:
        stop(server)
