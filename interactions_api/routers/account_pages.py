"""The account pages (`/api/account/*`): sign in and out, and the targets of mailed links.

Server-rendered and usable without JavaScript: verify an address, choose a new password
from a reset link, ask for a reset link ("forgot password"). Under /api so the CDN sends
them to the API. Every form carries a CSRF token (a pre-session one when signed out),
checked by the request guard before any handler runs. The rules are the auth service's;
this module only turns forms into calls and outcomes into pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData

from builder.themes import resolve_theme
from interactions_api.deps import (
    AuthContext,
    SessionDep,
    SettingsDep,
    get_engine,
)
from interactions_api.errors import ApiError
from interactions_api.models.user import User
from interactions_api.pages import ACCOUNT, ASSETS, INBOX, TEMPLATES, render, safe_next
from interactions_api.pages import signin_page as _signin_page
from interactions_api.routers._cookies import clear_session_cookie, set_session_cookie
from interactions_api.security import presession_cookie_name
from interactions_api.services import auth, sessions
from interactions_api.services.cpu import off_loop
from interactions_api.services.sessions import cookie_name
from interactions_api.studio.nav import STUDIO

router = APIRouter(include_in_schema=False)
EngineDep = Annotated[Engine, Depends(get_engine)]
Token = Annotated[str, Query(max_length=4096)]
# A link that cannot work says why, with a status a crawler or script can tell apart.
LINK_STATUS = {"ok": 200, "used": 200, "expired": 410, "invalid": 400}


def _field(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


@router.get(f"{ASSETS}/theme.css")
def theme_css() -> FileResponse:
    """The theme's stylesheet, so the pages look like the site."""
    return FileResponse(resolve_theme("default", Path()) / "static" / "css" / "main.css")


@router.get(f"{ASSETS}/pages.css")
def pages_css() -> FileResponse:
    """The rules every server-rendered page adds to the theme (forms, tables, notices)."""
    return FileResponse(TEMPLATES / "pages.css", media_type="text/css")


@router.get(f"{ASSETS}/token.js")
def token_js() -> FileResponse:
    """Turns an old link's `#token=` into the `?token=` the account pages read."""
    return FileResponse(TEMPLATES / "account" / "token.js", media_type="text/javascript")


def _landing(user: User) -> str:
    """Where a sign-in with nowhere to return goes: Studio's home, which every role has."""
    return f"{STUDIO}/"


@router.get(f"{ACCOUNT}/signin")
def signin_form(next: str = "") -> Response:
    """The old sign-in address: Studio's sign-in page, keeping `next`."""
    target = safe_next(next)
    query = f"?{urlencode({'next': target})}" if target else ""
    return RedirectResponse(f"{STUDIO}/signin{query}", status_code=308)


@router.post(f"{ACCOUNT}/signin")
@router.post(f"{INBOX}/signin")
async def signin(request: Request, db: SessionDep, ctx: AuthContext) -> Response:
    """Sign in with a plain HTML form, then go where the visitor was going."""
    form = await request.form()
    email, password = _field(form, "email"), _field(form, "password")
    target = safe_next(_field(form, "next"))
    if not email or not password:
        return _signin_page(
            request, ctx.settings, status=422, next_path=target, email=email,
            error="Enter your email and password.",
        )  # fmt: skip
    # argon2 and the session's writes block: they run off the event loop
    return await off_loop(_sign_in, request, db, ctx, email, password, target)


def _sign_in(
    request: Request, db: Session, ctx: auth.Context, email: str, password: str, target: str | None
) -> Response:
    settings = ctx.settings
    try:
        user = auth.sign_in(db, ctx, email=email, password=password)
    except ApiError as exc:
        db.rollback()
        page = _signin_page(
            request, settings, status=exc.status, next_path=target, email=email, error=exc.message
        )
        page.headers.update(exc.headers)  # Retry-After when throttled or busy
        return page
    old = request.cookies.get(cookie_name(settings.cookie_secure))
    if old:
        sessions.end_session(db, old)
    response = RedirectResponse(target or _landing(user), status_code=303)
    set_session_cookie(response, settings, sessions.start_session(db, user))
    response.delete_cookie(presession_cookie_name(settings.cookie_secure), path="/")
    return response


@router.post(f"{ACCOUNT}/signout")
@router.post(f"{INBOX}/signout")
def signout(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """End this browser's session (form with the session's CSRF token)."""
    token = request.cookies.get(cookie_name(settings.cookie_secure))
    if token:
        sessions.end_session(db, token)
    response = RedirectResponse(f"{STUDIO}/signin", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.get(f"{ACCOUNT}/verify")
def verify(
    request: Request, engine: EngineDep, settings: SettingsDep, token: Token = ""
) -> Response:
    """The verification mail's link: opening it confirms the address."""
    # A GET that writes, on purpose: the mail says "open this link", and opening it twice
    # (or a mail scanner opening it first) only finds the address already confirmed.
    with Session(engine, expire_on_commit=False) as db:
        state = auth.verify_link(db, settings, token)
        db.commit()
    return render(
        request, settings, None, "account/verify.html", status=LINK_STATUS[state],
        state=state, token=token,
    )  # fmt: skip


@router.post(f"{ACCOUNT}/verify")
async def resend_verification(request: Request, db: SessionDep, ctx: AuthContext) -> Response:
    """A new verification link for an expired one; the same answer for every address."""
    email = _field(await request.form(), "email").strip()[:1000]
    try:
        auth.resend_verification_to(db, ctx, email=email)
    except ApiError as exc:  # an unreadable address, or too many requests
        db.rollback()
        return _refused(request, ctx, exc, "account/verify.html", state="expired", email=email)
    return render(request, ctx.settings, None, "account/verify.html", state="resent", email=email)


def _refused(
    request: Request, ctx: auth.Context, exc: ApiError, template: str, **page: object
) -> Response:
    """The form's page again with the error on it (and Retry-After when throttled)."""
    response = render(
        request, ctx.settings, None, template, status=exc.status, error=exc.message, **page
    )
    response.headers.update(exc.headers)
    return response


@router.get(f"{ACCOUNT}/reset")
def reset_form(
    request: Request, db: SessionDep, settings: SettingsDep, token: Token = ""
) -> Response:
    """The reset mail's link: a form for the new password, or why the link cannot work."""
    state = auth.reset_link(db, settings, token)
    return render(
        request, settings, None, "account/reset.html", status=LINK_STATUS[state],
        state=state, token=token,
    )  # fmt: skip


@router.post(f"{ACCOUNT}/reset")
async def reset(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """Set the new password; errors are shown on the form, which keeps the link's token."""
    form = await request.form()
    token, password = _field(form, "token")[:4096], _field(form, "password")
    state = auth.reset_link(db, settings, token)

    def page(status: int, **ctx: object) -> Response:
        return render(
            request, settings, None, "account/reset.html", status=status, token=token, **ctx
        )

    if state != "ok":
        return page(LINK_STATUS[state], state=state)
    if password != _field(form, "confirm"):
        return page(422, state="ok", error="The two passwords differ; type the same one twice.")
    try:  # argon2: off the event loop
        await off_loop(auth.reset_password, db, settings, token=token, password=password)
    except ApiError as exc:
        db.rollback()
        return page(exc.status, state="ok", error=exc.message)
    response = page(200, state="done", notice=auth.RENEWAL_NOTICE)
    clear_session_cookie(response, settings)  # every session of the account just ended
    return response


@router.get(f"{ACCOUNT}/forgot")
def forgot_form(request: Request, settings: SettingsDep) -> Response:
    """Ask for a password-reset link by email."""
    return render(request, settings, None, "account/forgot.html", sent=False)


@router.post(f"{ACCOUNT}/forgot")
async def forgot(request: Request, db: SessionDep, ctx: AuthContext) -> Response:
    """Mail a reset link; the page says the same whether or not the address has an account."""
    email = _field(await request.form(), "email").strip()[:1000]
    try:
        auth.request_reset(db, ctx, email=email)
    except ApiError as exc:  # an unreadable address, or too many requests
        db.rollback()
        return _refused(request, ctx, exc, "account/forgot.html", sent=False, email=email)
    return render(request, ctx.settings, None, "account/forgot.html", sent=True, email=email)
