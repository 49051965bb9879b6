"""`quire serve`: a preview server with clean URLs, the site's 404 page and live reload.

The server is a small Starlette app over the output folder. A watchdog observer rebuilds
the site when a file changes; the open page learns about it over Server-Sent Events
(`/__quire/livereload`) from a small script injected into HTML responses (in preview only).
`serve(..., extra_routes=[Mount("/api", app)])` lets the service share the same port.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from html import escape as html_escape
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from builder.config import BuildOptions, ConfigError, load_config
from builder.manifest import MANIFEST_NAME
from builder.pipeline import BuildResult, ParseCache, build_site
from builder.preview.watch import Watcher
from builder.themes import ThemeError, resolve_theme

PREVIEW_DIR = ".quire/preview"  # never the publish folder: preview URLs point at localhost
LIVERELOAD_PATH = "/__quire/livereload"
# Reload on a good rebuild; on a failed one, show the errors over the page (textContent: no HTML).
LIVERELOAD_SCRIPT = (
    "<script>/* quire preview: reload when the site is rebuilt */(function(){"
    f'var s=new EventSource("{LIVERELOAD_PATH}");'
    's.addEventListener("reload",function(){location.reload()});'
    's.addEventListener("failed",function(e){'
    'var d=document.getElementById("quire-build-error")||document.createElement("pre");'
    'd.id="quire-build-error";d.setAttribute("role","alert");'
    'd.style.cssText="position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;'
    "margin:0;padding:1em;background:#5c0011;color:#fff;font:14px/1.4 monospace;"
    'white-space:pre-wrap;z-index:2147483647";'
    "d.textContent=JSON.parse(e.data);document.body.appendChild(d)})})();</script>"
)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_NO_CACHE = {"Cache-Control": "no-store"}  # a preview must always show the latest build


class Reloader:
    """The latest build's outcome, shared by the rebuild thread and the SSE streams."""

    def __init__(self, poll_seconds: float = 0.2, keepalive_seconds: float = 15.0) -> None:
        self._version = 0
        self._error = ""
        self._lock = threading.Lock()
        self.poll_seconds, self.keepalive_seconds = poll_seconds, keepalive_seconds

    @property
    def version(self) -> int:
        """How many rebuilds (good or failed) happened since the server started."""
        with self._lock:
            return self._version

    def notify(self) -> None:
        """A rebuild succeeded: tell every open page to reload."""
        with self._lock:
            self._version, self._error = self._version + 1, ""

    def fail(self, report: str) -> None:
        """A rebuild failed: show `report` over every open page (the output is unchanged)."""
        with self._lock:
            self._version, self._error = self._version + 1, report

    @property
    def error(self) -> str:
        """The errors of the latest build, or "" when it succeeded."""
        return self._state()[1]

    def _state(self) -> tuple[int, str]:
        with self._lock:
            return self._version, self._error

    async def events(self) -> AsyncIterator[str]:
        """An SSE stream: `reload` or `failed` after each rebuild, a comment as keep-alive."""
        seen, _ = self._state()
        yield "retry: 1000\n\n"
        idle = 0.0
        while True:
            await asyncio.sleep(self.poll_seconds)
            idle += self.poll_seconds
            version, error = self._state()
            if version != seen:
                seen, idle = version, 0.0
                if error:
                    yield f"event: failed\ndata: {json.dumps(error)}\n\n"
                else:
                    yield f"event: reload\ndata: {version}\n\n"
            elif idle >= self.keepalive_seconds:
                idle = 0.0
                yield ": keep-alive\n\n"


def create_preview_app(
    output_dir: Path,
    reloader: Reloader | None = None,
    *,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """An ASGI app serving `output_dir` like the production host, plus live reload."""
    root = output_dir.resolve()

    async def livereload(request: Request) -> Response:
        if reloader is None:
            return PlainTextResponse("live reload is off", status_code=404)
        return StreamingResponse(
            reloader.events(), media_type="text/event-stream", headers=_NO_CACHE
        )

    async def page(request: Request) -> Response:
        if request.method not in {"GET", "HEAD"}:
            return PlainTextResponse("method not allowed", status_code=405)
        path = request.path_params.get("path", "")
        target = _resolve(root, path)
        if target is not None and target.is_dir():
            if not path.endswith("/") and path:
                # 302, not 301: browsers cache 301s forever, which hurts while editing
                query = f"?{request.url.query}" if request.url.query else ""
                return RedirectResponse(f"/{path}/{query}", status_code=302)
            target = target / "index.html"
        if target is None or not target.is_file():
            return _not_found(root, reloader)
        if target.suffix == ".html":
            return _html(target.read_bytes(), 200, reloader is not None)
        return FileResponse(target, headers=_NO_CACHE)

    routes: list[BaseRoute] = [
        *extra_routes,
        Route(LIVERELOAD_PATH, livereload),
        Route("/{path:path}", page, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.output_dir = root
    app.state.reloader = reloader
    return app


def _resolve(root: Path, path: str) -> Path | None:
    """The file or folder for a URL path, or None when it is outside the output folder."""
    parts = [p for p in path.split("/") if p]
    if any(p in {".", ".."} or "\\" in p or "\x00" in p for p in parts):
        return None
    if parts[:1] == [MANIFEST_NAME]:
        return None  # the manifest is never published, so the preview hides it too
    if any(p.startswith(".") and p != ".well-known" for p in parts):
        return None  # publisher state (.quire-index.json, locks) and other hidden files
    target = root.joinpath(*parts).resolve() if parts else root
    return target if target.is_relative_to(root) else None


def _html(data: bytes, status: int, inject: bool) -> HTMLResponse:
    if inject:
        matches = list(_BODY_END.finditer(data))
        script = LIVERELOAD_SCRIPT.encode()
        if matches:
            at = matches[-1].start()
            data = data[:at] + script + data[at:]
        else:
            data += script
    return HTMLResponse(data, status_code=status, headers=_NO_CACHE)


def _not_found(root: Path, reloader: Reloader | None) -> Response:
    page = root / "404.html"
    if page.is_file():
        return _html(page.read_bytes(), 404, reloader is not None)
    if reloader is not None and reloader.error:
        # the first build failed, so there is no site yet: show why, reload once it is fixed
        body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>Build failed</title></head><body><h1>The site did not build</h1>"
            f"<pre>{html_escape(reloader.error, quote=False)}</pre>"
            "<p>Fix the files above and save: this page reloads by itself.</p></body></html>"
        )
        return _html(body.encode(), 500, True)
    return PlainTextResponse("404 Not Found", status_code=404, headers=_NO_CACHE)


@dataclass
class Preview:
    """A watched, self-rebuilding preview: the ASGI app to serve and the watcher to stop."""

    app: Starlette
    reloader: Reloader
    watcher: Watcher
    output_dir: Path
    first_build: BuildResult


def open_preview(
    site_dir: Path,
    *,
    base_url: str,
    options: BuildOptions | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    report: Callable[[BuildResult], None] = lambda result: None,
) -> Preview:
    """Build the site into .quire/preview and start rebuilding it on every change."""
    options = replace(
        options or BuildOptions(), output_dir=site_dir / PREVIEW_DIR, base_url=base_url
    )
    reloader = Reloader()
    cache: ParseCache = {}  # unchanged posts are not parsed again on each save

    def rebuild() -> BuildResult:
        # a fresh "now", so a future post appears when its time comes while serving
        now = BuildOptions().now
        # the search index is updated with the pages (builder.search_index): a saved
        # word is found by the preview's search at once
        later = replace(options, now=now)
        result = build_site(site_dir, later, parse_cache=cache)
        report(result)
        if result.ok:
            reloader.notify()
        else:
            reloader.fail("\n".join(str(d) for d in result.errors) or "the build failed")
        return result

    first = build_site(site_dir, options, parse_cache=cache)
    report(first)
    if not first.ok:
        reloader.fail("\n".join(str(d) for d in first.errors) or "the build failed")
    output = site_dir / PREVIEW_DIR
    output.mkdir(parents=True, exist_ok=True)
    app = create_preview_app(output, reloader, extra_routes=extra_routes)
    watcher = Watcher(
        site_dir, rebuild, ignored=[_publish_dir(site_dir)], extra_dirs=_theme_dirs(site_dir)
    )
    watcher.start()
    return Preview(app, reloader, watcher, output, first)


def serve(
    site_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    options: BuildOptions | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    report: Callable[[BuildResult], None] = lambda result: None,
    wrap: Callable[[Starlette, Path], Any] | None = None,
) -> None:
    """Build the site, serve it on host:port and rebuild and reload on every change.

    `wrap(preview_app, output_dir)` returns the ASGI app to serve instead: the service
    side uses it to put the interaction API on the same port.
    """
    import uvicorn  # only the preview needs a server

    public_host = "localhost" if host in {"0.0.0.0", "::"} else host  # noqa: S104
    preview = open_preview(
        site_dir,
        base_url=f"http://{public_host}:{port}",
        options=options,
        extra_routes=extra_routes,
        report=report,
    )
    try:
        app = preview.app if wrap is None else wrap(preview.app, preview.output_dir)
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1
        )
        uvicorn.Server(config).run()
    finally:
        preview.watcher.stop()


def _publish_dir(site_dir: Path) -> Path:
    """The site's own output folder, which the watcher must not react to."""
    try:
        return site_dir / load_config(site_dir).output_dir
    except ConfigError:
        return site_dir / "public"


def _theme_dirs(site_dir: Path) -> list[Path]:
    """The theme in use, when it lives outside the site (editing Quire's own theme)."""
    try:
        theme = resolve_theme(load_config(site_dir).theme, site_dir)
    except (ConfigError, ThemeError):
        return []
    return [] if theme.resolve().is_relative_to(site_dir.resolve()) else [theme]
