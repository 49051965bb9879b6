"""Helpers shared by the builder tests (imported by conftest and the test modules)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from builder.config import BuildOptions

HERE = Path(__file__).parent
SITES = HERE / "sites"
INVALID = HERE / "invalid"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

QUIRE_TOML = """\
title = "Test Blog"
base_url = "https://blog.example.com"
"""
AUTHORS_TOML = """\
[ada]
name = "Ada Lovelace"

[grace]
name = "Grace Hopper"
"""

MakeSite = Callable[..., Path]


def post(
    title: str = "Hello", date: str = "2024-01-31", body: str = "Body text.", **fm: str
) -> str:
    """The text of a post with the given front matter lines."""
    lines = [f"title: {title}", f"date: {date}", *(f"{k}: {v}" for k, v in fm.items())]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def options(**kwargs: object) -> BuildOptions:
    """BuildOptions with the pinned NOW."""
    kwargs.setdefault("now", NOW)
    return BuildOptions(**kwargs)  # type: ignore[arg-type]


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root: relative path -> (sha256, mtime_ns), to prove nothing changed."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app with a real uvicorn on a loopback port; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the preview server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
