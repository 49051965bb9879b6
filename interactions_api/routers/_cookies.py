"""The session cookie, as the JSON sign-in routes and the account pages both set it."""

from __future__ import annotations

from fastapi import Response

from interactions_api.config import Settings
from interactions_api.deps import session_cookie_name
from interactions_api.services import sessions


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    """Put the session in a `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, Path=/)."""
    response.set_cookie(
        session_cookie_name(settings),
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(
        session_cookie_name(settings),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
