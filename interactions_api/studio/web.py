"""Rendering a Studio page: `page(...)` and `done(...)` (redirect after a form, with a
flash message shown once on the next page).

The flash travels in a short-lived cookie signed with the secret key, so no other site
(nor a sibling subdomain) can make Studio show text of its choosing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from interactions_api.config import Settings
from interactions_api.models.user import User
from interactions_api.pages import render, safe_next
from interactions_api.studio.nav import STUDIO

FLASH_COOKIE = "quire_flash"
FlashKind = Literal["success", "error", "info"]


def page(
    request: Request,
    settings: Settings,
    user: User | None,
    template: str,
    *,
    section: str = "",
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """Template `template` (under studio/) as a Studio page; `section` marks the nav entry
    (a key of nav.SCREENS) as the current one. A pending flash is shown and cleared."""
    flash = _read_flash(request, settings)
    response = render(
        request, settings, user, template, status=status, section=section, flash=flash, **ctx
    )
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path=STUDIO)
    return response


def done(
    settings: Settings, target: str, message: str = "", kind: FlashKind = "success"
) -> RedirectResponse:
    """303 to `target` (a Studio path) after a form, with `message` flashed there."""
    response = RedirectResponse(safe_next(target) or f"{STUDIO}/", status_code=303)
    if message:
        response.set_cookie(
            FLASH_COOKIE, _sign(settings, f"{kind}:{message}"), max_age=60, path=STUDIO,
            secure=settings.cookie_secure, httponly=True, samesite="lax",
        )  # fmt: skip
    return response


def _sign(settings: Settings, text: str) -> str:
    body = base64.urlsafe_b64encode(text.encode()).decode()
    return f"{body}.{_mac(settings, body)}"


def _mac(settings: Settings, body: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, b"flash:" + body.encode(), hashlib.sha256).hexdigest()[:32]


def _read_flash(request: Request, settings: Settings) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE, "")
    body, _, mac = raw.partition(".")
    if not body or not hmac.compare_digest(mac, _mac(settings, body)):
        return None
    try:
        kind, _, message = base64.urlsafe_b64decode(body).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return {"kind": kind if kind in ("success", "error", "info") else "info", "text": message}
