"""The caller's signed-in browsers: `/api/me/sessions` (list, end one, end all others)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from interactions_api.deps import CurrentUser, SessionDep, SettingsDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.common import DbId, StrictBody
from interactions_api.services import account
from interactions_api.services.sessions import cookie_name

router = APIRouter(prefix="/api/me", tags=["users"], dependencies=[Depends(no_store)])


class SessionOut(BaseModel):
    """One signed-in browser (never its cookie value)."""

    id: int
    created_at: datetime
    expires_at: datetime
    current: bool


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class EndedOut(BaseModel):
    ended: int


def current_cookie(request: Request, settings: SettingsDep) -> str | None:
    """This browser's session cookie value (None for a Bearer-token caller)."""
    if request.headers.get("authorization"):
        return None
    return request.cookies.get(cookie_name(settings.cookie_secure))


@router.get("/sessions", response_model=SessionsOut, responses=error_responses(401))
def list_sessions(
    request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> SessionsOut:
    """The caller's valid sessions, newest first; `current` is the one asking."""
    found = account.list_sessions(db, user, current_cookie(request, settings))
    return SessionsOut(sessions=[SessionOut(**vars(s)) for s in found])


@router.delete(
    "/sessions/{session_id}", status_code=204, responses=error_responses(401, 403, 404, 415, 422)
)
def end_session(session_id: DbId, user: CurrentUser, db: SessionDep) -> Response:
    """Sign one browser out (this one included, if its id is given)."""
    account.end_session_by_id(db, user, session_id)
    return Response(status_code=204)


@router.post(
    "/sessions/end-others", response_model=EndedOut, responses=error_responses(401, 403, 415)
)
def end_other_sessions(
    _body: StrictBody, request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> EndedOut:
    """Sign every other browser out (all of them for a Bearer-token caller). Body: `{}`."""
    ended = account.end_other_sessions(db, user, current_cookie(request, settings))
    return EndedOut(ended=ended)
