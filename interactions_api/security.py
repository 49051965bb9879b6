"""Request guards: origin/CSRF checks, JSON-only bodies, a body-size cap, CORS, client address.

All state-changing requests go through `RequestGuard` (pure ASGI, outside routing) so no
route can forget them:
- an `Origin` header, when present, must be one of `settings.site_origins`, and
  `Sec-Fetch-Site: cross-site` is refused unless its origin is allowed (403 `csrf`);
- the body must be `application/json` (415 `unsupported_media_type`, also when missing),
  or an HTML form carrying a `csrf_token` field bound to the caller's session; only a
  valid `Authorization: Bearer` API token may stand in for that field (401 `invalid_token`
  for any other Bearer value), and a Bearer request never carries the session cookie on
  to the handlers: the token is its only credential;
- the body may not exceed `settings.max_body_bytes` (413 `too_large`); multipart uploads
  may reach `settings.inbox_image_max_bytes` plus room for the other fields.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

import anyio.to_thread
from fastapi import FastAPI, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interactions_api.config import Settings
from interactions_api.db import reader
from interactions_api.errors import error_json
from interactions_api.services import sessions
from interactions_api.services.sessions import cookie_name

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
CSRF_FIELD = "csrf_token"
# Forms on these paths need no session CSRF token: a signed token in their URL is the
# whole credential (a mail provider's RFC 8058 one-click unsubscribe has no cookie).
TOKEN_SIGNED_PATHS = frozenset({"/api/comments/unsubscribe"})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (scope, message) -> the HTML page for a refused form on an HTML route, else None (JSON).
HtmlRefusal = Callable[[Scope, str], ASGIApp | None]


def csrf_token(settings: Settings, session_token: str) -> str:
    """The CSRF token for HTML forms, bound to one session (changes when the session does)."""
    message = b"quire-csrf\x00" + session_token.encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def presession_cookie_name(cookie_secure: bool) -> str:
    """The cookie that binds a signed-out form (the inbox's sign-in) to this browser."""
    return "__Host-quire_presession" if cookie_secure else "quire_presession"


def csrf_token_for(request: Request, settings: Settings) -> str | None:
    """The CSRF token to embed in a form served to this request's session (or pre-session)."""
    session = request.cookies.get(cookie_name(settings.cookie_secure))
    if session:
        return csrf_token(settings, session)
    pre = request.cookies.get(presession_cookie_name(settings.cookie_secure))
    return csrf_token(settings, "pre:" + pre) if pre else None


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: Iterable[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: Request, settings: Settings) -> str:
    """The caller's address; `X-Forwarded-For` is believed only from a trusted proxy peer."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(tuple(settings.trusted_proxies))
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # Walk from the nearest hop outwards: the first address not ours is the client.
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a forged/garbled entry: fall back to what we know for sure
    return hops[0] if hops else peer


def install_cors(app: FastAPI, settings: Settings) -> None:
    """CORS for the site's exact origins with credentials; never `*`."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[o for o in settings.site_origins if o != "*"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Content-Type", "Authorization", "If-None-Match"],
        expose_headers=["ETag", "Retry-After"],
        max_age=600,
    )


class RequestGuard:
    """ASGI middleware enforcing the origin, content-type, CSRF and body-size rules."""

    def __init__(
        self, app: ASGIApp, settings: Settings, html_refusal: HtmlRefusal | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.html_refusal = html_refusal
        self.allowed = frozenset(settings.site_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refuse_origin(headers)
        if refusal is not None:
            await error_json(403, "csrf", refusal)(scope, receive, send)
            return
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json" and media not in FORM_TYPES:
            message = "Send the request body as JSON (Content-Type: application/json)."
            await error_json(415, "unsupported_media_type", message)(scope, receive, send)
            return
        limit = self._limit(media)
        body = await self._read_body(headers, receive, limit)
        if body is None:
            message = f"The request body is larger than {limit} bytes."
            await error_json(413, "too_large", message)(scope, receive, send)
            return
        bearer = bearer_token(headers.get("authorization", ""))
        if bearer is not None:
            # The token is the request's only credential: no handler may fall back to
            # (or act on) the browser's session cookie.
            scope = _without_cookies(scope)
        if media in FORM_TYPES and scope["path"] not in TOKEN_SIGNED_PATHS:
            answer = await self._form_refusal(scope, _replay(body, receive), bearer)
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _form_refusal(
        self, scope: Scope, receive: Receive, bearer: str | None
    ) -> ASGIApp | None:
        """Why a form may not pass (an error response), or None when it may."""
        if bearer is not None:
            # A valid token is no ambient credential (a foreign page cannot add the header
            # without passing CORS), so it replaces the CSRF token. Any other
            # `Authorization` (Basic, which a browser may send by itself) replaces nothing.
            try:
                if await self._bearer_ok(scope, bearer):
                    return None
            except SQLAlchemyError:
                # Outside the app's error handlers here: answer as they would, never 500.
                busy = error_json(503, "unavailable", "The database is busy; try again shortly.")
                busy.headers["Retry-After"] = "1"
                return busy
            return error_json(401, "invalid_token", "The API token is invalid or revoked.")
        try:
            token_ok = await self._form_token_ok(scope, receive)
        except (HTTPException, MultiPartException, ValueError):
            return error_json(400, "bad_request", "The form data could not be read.")
        if not token_ok:
            message = "The form's CSRF token is missing or does not match your session."
            page = self.html_refusal(scope, message) if self.html_refusal else None
            return page or error_json(403, "csrf", message)
        return None

    async def _bearer_ok(self, scope: Scope, token: str) -> bool:
        if not token:
            return False
        engine = scope["app"].state.engine

        def _lookup() -> bool:
            with Session(reader(engine)) as db:
                return sessions.user_for_api_token(db, token) is not None

        return await anyio.to_thread.run_sync(_lookup)

    def _refuse_origin(self, headers: dict[str, str]) -> str | None:
        origin = headers.get("origin")
        if origin is not None and origin not in self.allowed:
            return f"Requests from the origin {origin!r} are not allowed."
        if headers.get("sec-fetch-site") == "cross-site" and origin not in self.allowed:
            return "Cross-site requests are not allowed."
        return None

    def _limit(self, media: str) -> int:
        if media == "multipart/form-data":
            # Uploads (inbox images) have their own cap and their own clear message.
            return max(self.settings.max_body_bytes, self.settings.inbox_image_max_bytes + 65_536)
        return self.settings.max_body_bytes

    async def _read_body(
        self, headers: dict[str, str], receive: Receive, limit: int
    ) -> bytes | None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _form_token_ok(self, scope: Scope, receive: Receive) -> bool:
        request = Request(scope, receive)
        session = request.cookies.get(cookie_name(self.settings.cookie_secure))
        if not session:
            # A signed-out form (sign-in) is bound to a random pre-session cookie instead:
            # a foreign page can neither read that cookie nor compute its token.
            pre = request.cookies.get(presession_cookie_name(self.settings.cookie_secure))
            if not pre:
                return False
            session = "pre:" + pre
        form = await request.form()
        try:
            sent = form.get(CSRF_FIELD)
            expected = csrf_token(self.settings, session)
            return isinstance(sent, str) and hmac.compare_digest(sent, expected)
        finally:
            await form.close()


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer` value ('' if it has none); None for other schemes."""
    scheme, _, rest = authorization.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else None


def _without_cookies(scope: Scope) -> Scope:
    return {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"cookie"]}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def _receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return _receive
