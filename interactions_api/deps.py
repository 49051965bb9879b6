"""`Annotated` dependency aliases so handlers read like types (`db: SessionDep`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.db import reader, reading
from interactions_api.errors import Forbidden, Unauthorized
from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from interactions_api.security import bearer_token, client_ip
from interactions_api.services import auth, sessions
from interactions_api.services.guard import Guard
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


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session per request: committed when the handler returns, rolled back on error.

    The commit happens before the response is sent (see `SessionDep`), so whatever the
    answer says was written is there for the client's next request.

    Safe methods get a read-only transaction (no SQLite write lock, so reads never queue
    behind writers); they must not write. Other methods write: their transactions take
    the write lock, so they must be short; reads before the write go in `reading(db)`.

    Async, with the database work sent to the thread pool only when there is some (most
    handlers commit their write themselves): every hop to a thread costs, and under a
    burst the hops, not the database, were what requests queued for.
    """
    engine = get_engine(request)
    session = Session(
        reader(engine) if request.method in SAFE_METHODS else engine, expire_on_commit=False
    )
    try:
        yield session
        if _has_work(session):
            await _finish(session.commit)
    except BaseException:
        if session.in_transaction():
            await _finish(session.rollback)
        raise
    finally:
        if session.in_transaction():
            await _finish(session.close)
        else:
            session.close()  # holds no connection: nothing to wait for


def commit_on_return(router: APIRouter) -> None:
    """Commit a plain (threaded) handler's session in its own thread as it returns.

    FastAPI validates a plain handler's answer in the shared thread pool before the
    session's exit runs, and under a burst every pool thread can be waiting for the write
    lock that this very transaction holds: nobody moves until the lock wait times out.
    Committing before the thread is given back leaves the lock held across no hop.
    Call on each router before it is included.
    """
    for route in router.routes:
        if isinstance(route, APIRoute) and not inspect.iscoroutinefunction(route.endpoint):
            route.endpoint = _committing(route.endpoint)  # what an inclusion builds from


def _committing(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def run(**values: Any) -> Any:
        result = call(**values)
        for value in values.values():
            if isinstance(value, Session) and _has_work(value):
                value.commit()
        return result

    return run


def _has_work(session: Session) -> bool:
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


async def _finish(end: Callable[[], None]) -> None:
    # Not on the shared thread pool: the transaction may hold the write lock, and if every
    # pool thread were waiting for that lock, its commit could never get a thread.
    await anyio.to_thread.run_sync(end, limiter=anyio.CapacityLimiter(1))


def get_redis(request: Request) -> Any:
    """The app's Redis client."""
    return request.app.state.redis


def get_client_ip(request: Request) -> str:
    """The caller's address (X-Forwarded-For only from a trusted proxy)."""
    return client_ip(request, get_settings(request))


# The dependencies below that do no I/O are `async`: FastAPI runs a plain function in the
# thread pool, one hop per dependency per request.


async def _settings_dep(request: Request) -> Settings:
    return get_settings(request)


async def _redis_dep(request: Request) -> Any:
    return get_redis(request)


def _limiter(request: Request) -> RateLimiter:
    return RateLimiter(get_redis(request), request.app.state.local_limits)


async def get_limiter(request: Request) -> RateLimiter:
    """A rate limiter on the app's Redis, counting in-process while Redis is away."""
    return _limiter(request)


async def get_guard(request: Request) -> Guard:
    """The rate-limit decisions (`services.guard`) on the app's limiter and settings."""
    return Guard(_limiter(request), get_settings(request))


async def _client_ip_dep(request: Request) -> str:
    return get_client_ip(request)


async def get_auth_context(request: Request) -> auth.Context:
    """What the sign-in flows need besides the database."""
    return auth.Context(
        settings=get_settings(request),
        redis=get_redis(request),
        ip=get_client_ip(request),
        guard=Guard(_limiter(request), get_settings(request)),
    )


SettingsDep = Annotated[Settings, Depends(_settings_dep)]
# scope="function": the session is committed and closed when the handler returns, before
# the response goes out (the default, "request", commits after it is sent, and a client
# that went on at once found its new session row missing).
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
RedisDep = Annotated[Any, Depends(_redis_dep)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
GuardDep = Annotated[Guard, Depends(get_guard)]
ClientIP = Annotated[str, Depends(_client_ip_dep)]
AuthContext = Annotated[auth.Context, Depends(get_auth_context)]


async def no_store(response: Response) -> None:
    """Router dependency: personal answers must never be kept by the CDN or the browser."""
    response.headers["Cache-Control"] = "no-store"


def session_cookie_name(settings: Settings) -> str:
    """The session cookie's name under these settings."""
    return sessions.cookie_name(settings.cookie_secure)


async def get_optional_user(request: Request, db: SessionDep, settings: SettingsDep) -> User | None:
    """The caller's account from a Bearer API token or the session cookie, else None."""
    bearer = bearer_token(request.headers.get("authorization", ""))
    if bearer is not None:  # then the token alone decides: never the cookie as well
        return await run_in_threadpool(_token_user, db, bearer)
    cookie = request.cookies.get(session_cookie_name(settings))
    if not cookie:
        return None
    return await run_in_threadpool(_session_user, db, cookie)


def _token_user(db: Session, value: str) -> User:
    with reading(db):
        found = sessions.user_for_api_token(db, value)
    if found is None:
        raise Unauthorized("The API token is invalid or revoked.", code="invalid_token")
    user, token = found
    if sessions.token_needs_touch(token):
        # A short write of its own on the request's session (never a second connection:
        # it would wait for the lock this request holds).
        sessions.touch_api_token(db, token)
    return user


def _session_user(db: Session, cookie: str) -> User | None:
    # A read transaction that ends here: the request holds neither the write lock nor a
    # pooled connection while it goes on to rate limits and rendering.
    with reading(db):
        return sessions.user_for_session(db, cookie)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> User:
    """The signed-in caller, or 401 `not_authenticated`."""
    if user is None:
        raise Unauthorized("Sign in to do this.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def is_banned(user: User) -> bool:
    """Whether the account is currently suspended."""
    return user.banned_until is not None and sessions.aware(user.banned_until) > utcnow()


def require_role(role: Role) -> Callable[[User], Awaitable[User]]:
    """Dependency factory: the caller must hold `role` or a higher one and not be banned."""

    async def _check(user: CurrentUser) -> User:
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
