"""A small exception tree that carries the HTTP status and a stable code.

Services raise these; the handlers installed by `install_handlers` turn them into JSON
`{"code": ..., "message": ...}`, or, on a server-rendered page, into the page the `html`
hook returns (a sign-in form, a "not allowed" page). Routers never build HTTPException
by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from interactions_api.db import is_busy
from interactions_api.models.common import ErrorOut, FieldErrorOut, ValidationErrorOut
from interactions_api.sqlitegate import WriteLockTimeout

log = logging.getLogger("quire.api")
# (request, status, code, message) -> an HTML page for an HTML route, else None (JSON).
HtmlErrors = Callable[[Request, int, str, str], Response | None]


class ApiError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "not_authenticated"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(ApiError):
    status, code = 422, "invalid"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.retry_after = max(1, retry_after)
        self.headers["Retry-After"] = str(self.retry_after)


class ServiceUnavailable(ApiError):
    status, code = 503, "unavailable"


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not signed in, or the credentials are wrong",
    403: "Not allowed (role, CSRF/origin check, suspended account)",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Content-Type must be application/json",
    422: "The request body or parameters are invalid",
    429: "Too many requests; see Retry-After",
    500: "Unexpected failure (code `internal`, no details)",
    503: "A dependency is unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route's possible errors, all shaped like `ErrorOut`."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model = ValidationErrorOut if status == 422 else ErrorOut
        out[status] = {"model": model, "description": _DESCRIPTIONS.get(status, "Error")}
    return out


def error_json(status: int, code: str, message: str, /, **extra: Any) -> JSONResponse:
    """The one place an error body is built (extra fields never replace code/message)."""
    return JSONResponse({**extra, "code": code, "message": message}, status_code=status)


_UNSAFE = ("post", "put", "patch", "delete")
BUSY_RETRY_AFTER_S = 1  # writes queue for milliseconds: a second later there is room
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def install_handlers(app: FastAPI, html: HtmlErrors | None = None) -> None:
    """Render every error as JSON with a stable code (or as the page `html` gives for an
    HTML route); never leak a stack trace."""

    def _page(request: Request, status: int, code: str, message: str) -> Response | None:
        return html(request, status, code, message) if html is not None else None

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        page = _page(request, exc.status, exc.code, exc.message)
        response = page or error_json(exc.status, exc.code, exc.message, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = [_field_error(e) for e in exc.errors()]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        message = f"The request is invalid ({summary})."
        return _page(request, 422, "invalid", message) or error_json(
            422, "invalid", message, fields=fields
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        return _page(request, exc.status_code, code, message) or error_json(
            exc.status_code, code, message
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A number or text the database cannot hold (an id beyond its integer range, a
        # string over a column's length on PostgreSQL): the request is at fault, not us.
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return error_json(
            422, "out_of_range", "A value in the request is out of the accepted range."
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced for the same unique row (e.g. one email signing up twice at
        # once on PostgreSQL); the loser is told to retry instead of seeing a crash.
        log.warning("integrity conflict on %s %s: %s", request.method, request.url.path, exc)
        return error_json(409, "conflict", "This conflicts with a concurrent change; try again.")

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(WriteLockTimeout)
    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: Exception) -> JSONResponse:
        # Too many writes at once (no pooled connection, or the write lock, in time): a
        # short, honest "try again" instead of a 500 after a long wait.
        if not is_busy(exc):
            return await _crash(request, exc)
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        response = error_json(503, "busy", "Too many requests at once; try again in a moment.")
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the trace for operators; the client only learns that it failed.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_json(500, "internal", "Something went wrong on our side.")


def _field_error(error: Any) -> dict[str, str]:
    # `loc` is like ("body", "email"); the input value is left out: it may be a password.
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    return {"field": ".".join(loc) or "body", "message": str(error.get("msg", "invalid"))}


def install_openapi(app: FastAPI) -> None:
    """Describe FastAPI's automatic 422 answers with the shape our handler really sends."""

    def _openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            ours = {"$ref": "#/components/schemas/ValidationErrorOut"}
            error = {"$ref": "#/components/schemas/ErrorOut"}
            for item in schema.get("paths", {}).values():
                for method, op in item.items():
                    # The catch-all answers 500 anywhere, and the request guard answers
                    # 403/413/415 on every state-changing route: always in JSON, even
                    # where the route itself answers HTML.
                    guarded = ("403", "413", "415") if method in _UNSAFE else ()
                    for status in ("500", *guarded):
                        entry = op["responses"].setdefault(
                            status, {"description": _DESCRIPTIONS[int(status)]}
                        )
                        content = entry.setdefault("content", {})
                        content.pop("text/html", None)
                        content.setdefault("application/json", {"schema": error})
                    invalid = op.get("responses", {}).get("422")
                    if invalid is None:
                        continue
                    invalid["description"] = _DESCRIPTIONS[422]
                    invalid["content"] = {"application/json": {"schema": ours}}
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            components.setdefault("ValidationErrorOut", _validation_schema())
            components.setdefault("FieldErrorOut", _field_schema())
            components.setdefault("ErrorOut", ErrorOut.model_json_schema())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = _openapi  # type: ignore[method-assign]


def _validation_schema() -> dict[str, Any]:
    schema = ValidationErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def _field_schema() -> dict[str, Any]:
    return FieldErrorOut.model_json_schema()
