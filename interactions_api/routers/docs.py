"""The OpenAPI page at /api/docs, with Swagger UI's files served from here, not a CDN.

The files come from the `fastapi-offline` package, which ships current Swagger UI builds;
only its static folder is used, so the page works on a machine without internet.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from interactions_api.errors import NotFound

router = APIRouter(include_in_schema=False)

ASSETS_URL = "/api/docs/assets"
_STATIC = Path(fastapi_offline.__file__).parent / "static"
# Only these names are served: the URL never becomes a path on its own.
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


@router.get("/api/docs")
def swagger_page(request: Request) -> HTMLResponse:
    """Swagger UI over this API's OpenAPI document."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - docs",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
    )


@router.get(ASSETS_URL + "/{name}")
def swagger_asset(name: str) -> FileResponse:
    """One of Swagger UI's files; cached for a day (they change only with the package)."""
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"There is no documentation asset named {name!r}.")
    return FileResponse(
        _STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )
