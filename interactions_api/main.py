"""The app factory: `create_app(settings)` builds a fully wired FastAPI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interactions_api.config import Settings
from interactions_api.db import make_engine
from interactions_api.errors import ApiError


def create_app(settings: Settings | None = None, *, redis: Any = None) -> FastAPI:
    """Build the API. Tests pass their own settings and a real (test) Redis client."""
    settings = settings or Settings()
    app = FastAPI(
        title="Quire interaction API",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.redis = redis

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    return app
