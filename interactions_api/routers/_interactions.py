"""Shared pieces of the comment, like, bookmark, count and moderation routers."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from interactions_api.deps import get_settings
from interactions_api.services.threads import ThreadRegistry


async def get_threads(request: Request) -> ThreadRegistry:
    """The app's thread registry, created on first use from `settings.manifest_path`.

    Async on purpose: it does no I/O worth a thread (a stat() at most every half second).
    """
    registry: ThreadRegistry | None = getattr(request.app.state, "threads", None)
    if registry is None:
        registry = ThreadRegistry(get_settings(request).manifest_path)
        request.app.state.threads = registry
    return registry


ThreadsDep = Annotated[ThreadRegistry, Depends(get_threads)]


def role_doc(role: str) -> dict[str, Any]:
    """OpenAPI extension naming the role a route needs (also said in its description)."""
    return {"x-quire-role": role}


def cacheable_json(
    request: Request, body: bytes, *, s_maxage: int, status_code: int = 200
) -> Response:
    """A public JSON response with a strong ETag; 304 when the client already has it."""
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age=0, s-maxage={s_maxage}"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


@functools.lru_cache(maxsize=32)
def _etag(body: bytes) -> str:
    # Memoised: the response cache hands out the same bytes object for a second, and
    # hashing a 100 KiB listing on every hit was the largest cost of serving it. (A bytes
    # object caches its own hash, and the lookup finds the same object by identity.)
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): a CDN may hand back W/"..." for our strong tag.
    candidates = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in candidates


def json_answer(data: Any, *, status_code: int = 200) -> Response:
    """`data`, already in its route's response shape, as JSON without validating it again.

    The route's `response_model` still documents it. Returning a dict made FastAPI check
    it against the model and, for a plain handler, do so on another thread hop: about a
    sixth of a like toggle's CPU.
    """
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status_code, media_type="application/json")


NO_STORE = {"Cache-Control": "private, no-store"}
