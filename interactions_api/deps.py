"""`Annotated` dependency aliases so handlers read like types (`db: SessionDep`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.db import session_scope
from interactions_api.errors import Forbidden, Unauthorized
from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from interactions_api.services import sessions


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_db(request: Request) -> Iterator[Session]:
    yield from session_scope(get_engine(request))


def get_redis(request: Request) -> Any:
    return request.app.state.redis


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]
RedisDep = Annotated[Any, Depends(get_redis)]


def session_cookie_name(settings: Settings) -> str:
    return sessions.SESSION_COOKIE if settings.cookie_secure else sessions.DEV_SESSION_COOKIE


def get_optional_user(request: Request, db: SessionDep, settings: SettingsDep) -> User | None:
    """The caller's account from a Bearer API token or the session cookie, else None."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = sessions.user_for_api_token(db, auth[7:].strip())
        if user is None:
            raise Unauthorized("The API token is invalid or revoked.", code="invalid_token")
        return user
    cookie = request.cookies.get(session_cookie_name(settings))
    if cookie:
        return sessions.user_for_session(db, cookie)
    return None


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise Unauthorized("Sign in to do this.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(role: Role) -> Callable[[User], User]:
    """Dependency factory: the caller must hold `role` or a higher one and not be banned."""

    def _check(user: CurrentUser) -> User:
        if user.role < role:
            raise Forbidden(f"This needs the {role.name} role.", code="role_required")
        if user.banned_until is not None and sessions._aware(user.banned_until) > utcnow():
            raise Forbidden("This account is suspended.", code="banned")
        return user

    return _check


Reader = Annotated[User, Depends(require_role(Role.reader))]
Author = Annotated[User, Depends(require_role(Role.author))]
Editor = Annotated[User, Depends(require_role(Role.editor))]
Admin = Annotated[User, Depends(require_role(Role.admin))]
