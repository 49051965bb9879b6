"""Server-rendered HTML pages: what the inbox and the account pages share.

One Jinja environment over `templates/` (`page.html` is the shell every page extends,
`pages.css` the one stylesheet on top of the theme's), the CSRF token a form needs (a
signed-out visitor gets the pre-session cookie that binds it), the one rule for a safe
`next` path, and the HTML answer to an error on an HTML route: a sign-in form that
returns the visitor where they were going, a page saying a role may not see this, or a
refused form explained with a way to retry. JSON routes keep answering JSON.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Scope

from interactions_api.config import Settings
from interactions_api.errors import Forbidden, Unauthorized
from interactions_api.models.user import Role, User
from interactions_api.security import csrf_token_for, presession_cookie_name
from interactions_api.services import review, sitesettings
from interactions_api.services.sessions import cookie_name
from interactions_api.studio.nav import STUDIO, screens_for

TEMPLATES = Path(__file__).resolve().parent / "templates"
STUDIO_TEMPLATES = Path(__file__).resolve().parent / "studio" / "templates"
INBOX = "/api/inbox/ui"
ACCOUNT = "/api/account"
ASSETS = "/api/pages"
MODERATION = "/api/moderation/ui"
ADMIN = "/api/admin/ui"
_HTML_PREFIXES = (INBOX + "/", ACCOUNT + "/", MODERATION + "/", ADMIN + "/", STUDIO + "/")
_NEXT_MAX = 2000
_HEADERS = {
    "Cache-Control": "no-store",
    # Reset links carry their token in the URL: never hand it to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


@lru_cache(maxsize=1)
def env() -> Environment:
    """The templates: the inbox's own folder first (its pages say "base.html"), then the root."""
    loader = FileSystemLoader([TEMPLATES / "inbox", TEMPLATES, STUDIO_TEMPLATES])
    environment = Environment(loader=loader, autoescape=select_autoescape(default=True))
    environment.globals.update(
        base=INBOX, account=ACCOUNT, assets=ASSETS, moderation_base=MODERATION, admin_base=ADMIN,
        studio=STUDIO,
    )  # fmt: skip
    environment.filters["label"] = lambda s: str(s).replace("_", " ")
    environment.filters["when"] = lambda d: (
        review.aware(d).strftime("%Y-%m-%d %H:%M UTC") if d else ""
    )
    return environment


def is_html_path(path: str) -> bool:
    """Whether `path` is one of the server-rendered pages (their errors are pages too)."""
    if path in (INBOX, STUDIO):
        return True
    return path.startswith(_HTML_PREFIXES) and not path.endswith(".css")


def is_studio_path(path: str) -> bool:
    """Whether `path` is a Studio page (errors there keep Studio's layout)."""
    return path == STUDIO or path.startswith(STUDIO + "/")


def render(
    request: Request,
    settings: Settings,
    user: User | None,
    name: str,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """Template `name` as a page; a browser without a session gets a pre-session cookie,
    so the page's forms already carry a CSRF token the request guard accepts."""
    pre_name = presession_cookie_name(settings.cookie_secure)
    fresh = None
    if not request.cookies.get(cookie_name(settings.cookie_secure)):
        fresh = request.cookies.get(pre_name) or secrets.token_urlsafe(24)
        request.cookies[pre_name] = fresh  # so this page's forms carry the matching token
    html = (
        env()
        .get_template(name)
        .render(
            user=user,
            is_editor=bool(user and user.role >= Role.editor),
            is_admin=bool(user and user.role >= Role.admin),
            csrf=csrf_token_for(request, settings) or "",
            site_name=sitesettings.site_name(getattr(request.app.state, "engine", None), settings),
            screens=screens_for(user),
            path=request.url.path,
            **ctx,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=_HEADERS)
    if fresh is not None:
        response.set_cookie(
            pre_name, fresh, max_age=3600, path="/", secure=settings.cookie_secure,
            httponly=True, samesite="lax",
        )  # fmt: skip
    return response


def need_role(user: User | None, role: Role) -> User:
    """The signed-in user if they hold `role`: signed out, the error handler answers the
    sign-in page that returns here; signed in but too low, a page saying so."""
    if user is None:
        raise Unauthorized("Sign in to open this page.")
    if user.role < role:
        raise Forbidden(
            f"Your account ({user.display_name}) cannot open this page: it needs the "
            f"{role.name} role. Ask an administrator for it.",
            code="role_required",
        )
    return user


def safe_next(raw: object) -> str | None:
    """`raw` if it is a path on this site, else None: a `next` never leads elsewhere.

    Refused: absolute URLs, scheme-relative `//host`, `/\\host` (browsers read the
    backslash as a slash), control characters and spaces, overlong values.
    """
    if not isinstance(raw, str) or not raw.startswith("/") or len(raw) > _NEXT_MAX:
        return None
    if raw.startswith("//") or "\\" in raw or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in raw):
        return None
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else None


def here(request: Request) -> str | None:
    """Where a signed-out visitor was going: this page, for a GET (a form post is not
    something to replay after signing in)."""
    if request.method != "GET":
        return None
    query = request.url.query
    return safe_next(request.url.path + (f"?{query}" if query else ""))


def signin_page(
    request: Request, settings: Settings, *, status: int, next_path: str | None, **ctx: Any
) -> HTMLResponse:
    """The sign-in form, returning the visitor to `next_path` afterwards."""
    return render(
        request, settings, None, "studio/signin.html", status=status, next=next_path, **ctx
    )


def error_page(request: Request, status: int, code: str, message: str) -> Response | None:
    """The HTML answer to an error on an HTML route; None for every other route."""
    if not is_html_path(request.url.path):
        return None
    settings: Settings = request.app.state.settings
    studio = is_studio_path(request.url.path)
    if status == 401 and studio:
        target = here(request) or f"{STUDIO}/"
        return RedirectResponse(
            f"{STUDIO}/signin?{urlencode({'next': target})}", status_code=303, headers=_HEADERS
        )
    if status == 401:
        return signin_page(request, settings, status=401, next_path=here(request), notice=message)
    titles = {403: "Not allowed", 404: "Not found", 429: "Too many requests"}
    return render(
        request,
        settings,
        getattr(request.state, "user", None) if studio else None,
        "studio/message.html" if studio else "account/message.html",
        status=status,
        title=titles.get(status, "Something is wrong"),
        message=message,
        code=code,
    )


def csrf_refusal(scope: Scope, message: str) -> ASGIApp | None:
    """The HTML answer to a refused form on an HTML route: what happened, and a retry
    link to the page the form came from (same site only), which carries a fresh token."""
    request = Request(scope)
    if not is_html_path(request.url.path):
        return None
    settings: Settings = scope["app"].state.settings
    referer = urlsplit(request.headers.get("referer", ""))
    retry = None
    if referer.netloc == request.url.netloc:
        retry = safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    studio = is_studio_path(request.url.path)
    return render(
        request,
        settings,
        None,
        "studio/message.html" if studio else "account/message.html",
        status=403,
        title="This form has expired",
        message=(
            "The form was sent without a valid security token (it may be from an old page, "
            "or your session changed since). Nothing was changed. Open the page again and "
            "send the form once more."
        ),
        detail=message,
        retry=retry or (f"{STUDIO}/" if studio else f"{INBOX}/"),
        code="csrf",
    )
