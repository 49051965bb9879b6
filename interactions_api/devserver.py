"""One port for the built site and the API, as CloudFront gives in production.

`create_dev_app(settings, output_dir)` sends `/api` and `/studio` (and below) to the
interaction API and everything else to the builder's preview app (clean URLs, the site's
404 page, live reload), or to a plain static file server. One origin means the session cookie is
first-party, so the widgets behave exactly as they will behind the CDN.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

from builder.manifest import MANIFEST_NAME
from builder.preview.serve import Reloader, create_preview_app
from interactions_api.config import Settings
from interactions_api.main import create_app

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api"
API_PREFIXES = (API_PREFIX, "/studio")  # Studio's pages are the API's too


class DevApp:
    """Dispatch by path prefix without rewriting paths: the API's routes start with /api
    (and Studio's with /studio)."""

    def __init__(self, *, api: ASGIApp, site: ASGIApp) -> None:
        self.api = api
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        is_api = any(path == p or path.startswith(p + "/") for p in API_PREFIXES)
        await (self.api if is_api else self.site)(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        # Run both apps' startup and shutdown (the API connects Redis and checks the schema
        # there; the preview app starts its file watcher).
        await receive()  # lifespan.startup
        stack = AsyncExitStack()
        try:
            for app in (self.api, self.site):
                context = _lifespan_context(app)
                if context is not None:
                    await stack.enter_async_context(context)
        except Exception as exc:
            await stack.aclose()
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        try:
            await stack.aclose()
        except Exception as exc:
            await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.shutdown.complete"})


def _lifespan_context(app: Any) -> AbstractAsyncContextManager[Any] | None:
    router = getattr(app, "router", None)
    factory = getattr(router, "lifespan_context", None)
    if factory is None:
        return None
    context: AbstractAsyncContextManager[Any] = factory(app)
    return context


def static_site_app(output_dir: Path) -> ASGIApp:
    """The built folder with clean URLs: `/posts/a/` serves `posts/a/index.html`, 404.html."""
    # check_dir=False: the server may start before the first build has written the folder.
    return StaticFiles(directory=output_dir, html=True, check_dir=False)


def _preview_app(output_dir: Path, reloader: Reloader | None) -> ASGIApp:
    app: ASGIApp = create_preview_app(output_dir, reloader)
    return app


def create_dev_app(
    settings: Settings,
    output_dir: Path,
    *,
    redis: Any = None,
    reloader: Reloader | None = None,
    site_app: ASGIApp | None = None,
) -> DevApp:
    """The API under /api and the built site everywhere else, on one origin.

    The site is the builder's preview app (live reload when `reloader` is given); the API
    reads its threads from the manifest of `output_dir`, the site being served.
    `site_app` replaces the preview app (e.g. `static_site_app` for a plain file server).
    """
    settings = settings.model_copy(update={"manifest_path": output_dir / MANIFEST_NAME})
    api = create_app(settings, redis=redis)
    return DevApp(api=api, site=site_app or _preview_app(output_dir, reloader))
