"""`Annotated` dependency aliases so handlers read like types (`db: SessionDep`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.db import reader, session_scope
from interactions_api.errors import Forbidden, Unauthorized
from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from interactions_api.security import bearer_token, client_ip
from interactions_api.services import auth, sessions
from interactions_api.services.ratelimit import RateLimiter


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    """A session per request: committed when the handler returns, rolled back on error.

    Safe methods get a read-only transaction (no SQLite write lock, so reads never queue
    behind writers); they must not write.
    """
    engine = get_engine(request)
    yield from session_scope(reader(engine) if request.method in SAFE_METHODS else engine)


def get_redis(request: Request) -> Any:
    """The app's Redis client."""
    return request.app.state.redis


def get_limiter(request: Request) -> RateLimiter:
    """A rate limiter on the app's Redis, counting in-process while Redis is away."""
    return RateLimiter(get_redis(request), request.app.state.local_limits)


def get_client_ip(request: Request) -> str:
    """The caller's address (X-Forwarded-For only from a trusted proxy)."""
    return client_ip(request, get_settings(request))


def get_auth_context(request: Request) -> auth.Context:
    """What the sign-in flows need besides the database."""
    return auth.Context(
        settings=get_settings(request),
        redis=get_redis(request),
        ip=get_client_ip(request),
        limiter=get_limiter(request),
    )


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]
RedisDep = Annotated[Any, Depends(get_redis)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
ClientIP = Annotated[str, Depends(get_client_ip)]
AuthContext = Annotated[auth.Context, Depends(get_auth_context)]


def no_store(response: Response) -> None:
    """Router dependency: personal answers must never be kept by the CDN or the browser."""
    response.headers["Cache-Control"] = "no-store"


def session_cookie_name(settings: Settings) -> str:
    """The session cookie's name under these settings."""
    return sessions.cookie_name(settings.cookie_secure)


def get_optional_user(request: Request, db: SessionDep, settings: SettingsDep) -> User | None:
    """The caller's account from a Bearer API token or the session cookie, else None."""
    bearer = bearer_token(request.headers.get("authorization", ""))
    if bearer is not None:  # then the token alone decides: never the cookie as well
        found = sessions.user_for_api_token(db, bearer)
        if found is None:
            raise Unauthorized("The API token is invalid or revoked.", code="invalid_token")
        user, token = found
        if sessions.token_needs_touch(token):
            # Its own short write transaction: the request's session may be read-only.
            sessions.touch_api_token(get_engine(request), token)
        return user
    cookie = request.cookies.get(session_cookie_name(settings))
    if cookie:
        return sessions.user_for_session(db, cookie)
    return None


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    """The signed-in caller, or 401 `not_authenticated`."""
    if user is None:
        raise Unauthorized("Sign in to do this.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def is_banned(user: User) -> bool:
    """Whether the account is currently suspended."""
    return user.banned_until is not None and sessions.aware(user.banned_until) > utcnow()


def require_role(role: Role) -> Callable[[User], User]:
    """Dependency factory: the caller must hold `role` or a higher one and not be banned."""

    def _check(user: CurrentUser) -> User:
        if user.role < role:
            raise Forbidden(f"This needs the {role.name} role.", code="role_required")
        if is_banned(user):
            raise Forbidden("This account is suspended.", code="banned")
        return user

    return _check


Reader = Annotated[User, Depends(require_role(Role.reader))]
Author = Annotated[User, Depends(require_role(Role.author))]
Editor = Annotated[User, Depends(require_role(Role.editor))]
Admin = Annotated[User, Depends(require_role(Role.admin))]
