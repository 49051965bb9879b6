"""Studio's account pages, part 2: signed-in browsers and personal API tokens.

The rules are `services.account`'s, shared with `/api/me/sessions` and `/api/me/tokens`.
A new token's value is shown once, on the page that answers the form (never in a URL,
a flash cookie or a log).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interactions_api.deps import SessionDep, SettingsDep
from interactions_api.errors import ApiError
from interactions_api.models.common import DbId
from interactions_api.routers._cookies import clear_session_cookie
from interactions_api.services import account
from interactions_api.services.sessions import cookie_name
from interactions_api.studio.deps import SignedIn
from interactions_api.studio.forms import form_fields
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
SESSIONS = f"{STUDIO}/account/sessions"
TOKENS = f"{STUDIO}/account/tokens"
LIFETIMES = [(str(d or ""), f"{d} days" if d else "Until revoked") for d in account.TOKEN_LIFETIMES]


def _cookie(request: Request, settings: SettingsDep) -> str | None:
    return request.cookies.get(cookie_name(settings.cookie_secure))


@router.get(SESSIONS)
def sessions_page(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep
) -> Response:
    """Where the account is signed in."""
    found = account.list_sessions(db, user, _cookie(request, settings))
    return page(
        request, settings, user, "studio/account/sessions.html", section="account",
        tab="sessions", sessions=found,
    )  # fmt: skip


@router.post(SESSIONS + "/{session_id}/end")
def end_one(session_id: DbId, request: Request, user: SignedIn, db: SessionDep,
            settings: SettingsDep) -> Response:  # fmt: skip
    """Sign one browser out; ending this browser's session signs it out here too."""
    mine = [s for s in account.list_sessions(db, user, _cookie(request, settings)) if s.current]
    account.end_session_by_id(db, user, session_id)
    if mine and mine[0].id == session_id:
        response = RedirectResponse(f"{STUDIO}/signin", status_code=303)
        clear_session_cookie(response, settings)
        return response
    return done(settings, SESSIONS, "That browser is signed out.")


@router.post(SESSIONS + "/end-others")
def end_others(request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep) -> Response:
    """Sign every other browser out."""
    ended = account.end_other_sessions(db, user, _cookie(request, settings))
    noun = "browser is" if ended == 1 else "browsers are"
    return done(settings, SESSIONS, f"{ended} other {noun} signed out.")


def _tokens(request: Request, settings: SettingsDep, user: SignedIn, db: SessionDep,
            status: int = 200, **ctx: object) -> Response:  # fmt: skip
    ctx.setdefault("errors", {})
    ctx.setdefault("values", {"name": "", "expires": "90"})
    return page(
        request, settings, user, "studio/account/tokens.html", section="account", tab="tokens",
        tokens=account.list_tokens(db, user), lifetimes=LIFETIMES, expired=account.token_expired,
        status=status, **ctx,
    )  # fmt: skip


@router.get(TOKENS)
def tokens_page(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep
) -> Response:
    """The account's personal API tokens and a form for a new one."""
    return _tokens(request, settings, user, db)


@router.post(TOKENS)
async def create_token(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep
) -> Response:
    """Create a token; the answer shows its value, once."""
    values = await form_fields(request, "name", "expires", limit=1000)
    raw = values["expires"].strip()
    try:
        days = int(raw) if raw else None
        row, value = account.create_token(db, user, name=values["name"], days=days)
    except ValueError:
        return _tokens(request, settings, user, db, 422, values=values,
                       errors={"expires": "Choose how long the token lasts."})  # fmt: skip
    except ApiError as exc:
        db.rollback()
        field = exc.extra.get("field", "name")
        return _tokens(request, settings, user, db, exc.status, values=values,
                       errors={field: exc.message})  # fmt: skip
    db.commit()
    return _tokens(request, settings, user, db, 201, created=row, value=value)


@router.post(TOKENS + "/{token_id}/revoke")
def revoke(token_id: DbId, user: SignedIn, db: SessionDep, settings: SettingsDep) -> Response:
    """Revoke a token: scripts using it are refused from now on."""
    account.revoke_token(db, user, token_id)
    return done(settings, TOKENS, "The token is revoked; it no longer works.")
