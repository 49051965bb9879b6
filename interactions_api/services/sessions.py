"""Opaque browser sessions and personal API tokens: issue, resolve, revoke."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, func, select, update

from interactions_api.db import writing
from interactions_api.errors import Conflict, NotFound
from interactions_api.models.common import utcnow
from interactions_api.models.user import ApiToken, AuthSession, User

SESSION_COOKIE = "__Host-quire_session"
DEV_SESSION_COOKIE = "quire_session"  # `__Host-` requires Secure; plain-http development only
SESSION_LIFETIME = timedelta(days=14)
API_TOKEN_PREFIX = "quire_"  # noqa: S105 - not a secret; recognisable in logs and secret scanners
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)  # avoid a write on every API call
MAX_API_TOKENS = 20  # per account


def cookie_name(cookie_secure: bool) -> str:
    """The session cookie's name: `__Host-` only when it can be Secure."""
    return SESSION_COOKIE if cookie_secure else DEV_SESSION_COOKIE


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256: a leaked table does not leak working credentials."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User) -> str:
    """Create a new session for `user` and return the cookie value (shown once)."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    db.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    db.flush()
    return token


def end_session(db: Session, token: str) -> None:
    """End the one session whose cookie value is `token`."""
    db.exec(delete(AuthSession).where(col(AuthSession.token_hash) == hash_token(token)))


def end_all_sessions(db: Session, user_id: int) -> None:
    """Sign the user out everywhere (password change, ban)."""
    db.exec(delete(AuthSession).where(col(AuthSession.user_id) == user_id))
    # Also drop expired rows of everyone now and then: cheap, indexed, keeps the table small.
    db.exec(delete(AuthSession).where(col(AuthSession.expires_at) < utcnow()))


def revoke_api_tokens(db: Session, user_id: int) -> None:
    """Revoke every personal API token of the user (a new password: scripts must re-auth)."""
    db.exec(delete(ApiToken).where(col(ApiToken.user_id) == user_id))


def user_for_session(db: Session, token: str) -> User | None:
    """The account behind a session cookie value, or None if unknown or expired."""
    row = db.exec(_session_statement(), params={"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    user: User = row[0]
    if _aware(row[1]) <= utcnow() or user.disabled:
        return None
    return user


@functools.cache
def _session_statement() -> Any:
    # Every signed-in request runs it: built once, and only the account is loaded as an
    # object (the session row's expiry is a plain column).
    return (
        select(User, AuthSession.expires_at)
        .join(AuthSession, col(User.id) == col(AuthSession.user_id))
        .where(col(AuthSession.token_hash) == bindparam("token_hash"))
    )


def api_tokens(db: Session, user: User) -> list[ApiToken]:
    """The user's personal API tokens, oldest first (expired ones too)."""
    return list(
        db.exec(
            select(ApiToken).where(col(ApiToken.user_id) == user.id).order_by(col(ApiToken.id))
        ).all()
    )


def create_api_token(
    db: Session, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token (at most MAX_API_TOKENS, else 409 `too_many_tokens`),
    valid until `expires_at` (None: until revoked); the clear value is returned once and
    never stored."""
    assert user.id is not None
    count = db.exec(
        select(func.count()).select_from(ApiToken).where(col(ApiToken.user_id) == user.id)
    ).one()
    if count >= MAX_API_TOKENS:
        raise Conflict(
            f"At most {MAX_API_TOKENS} tokens; revoke one first.", code="too_many_tokens"
        )
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=hash_token(token), user_id=user.id, name=name.strip() or "token",
        expires_at=expires_at,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row, token


def revoke_api_token(db: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens (404 `token_not_found` if it has no such token)."""
    result = db.exec(
        delete(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == user.id)
    )
    if result.rowcount == 0:
        raise NotFound(f"You have no token {token_id}.", code="token_not_found")


def user_for_api_token(db: Session, token: str) -> tuple[User, ApiToken] | None:
    """The account behind a Bearer token and the token row, or None if unknown, revoked or
    expired."""
    row = db.exec(
        select(User, ApiToken)
        .join(ApiToken, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == hash_token(token))
    ).first()
    if row is None or row[0].disabled:
        return None
    if row[1].expires_at is not None and _aware(row[1].expires_at) <= utcnow():
        return None
    return row[0], row[1]


def token_needs_touch(token: ApiToken) -> bool:
    """Whether `last_used_at` is stale enough to record again (not on every request)."""
    last = token.last_used_at
    return last is None or _aware(last) < utcnow() - TOKEN_TOUCH_INTERVAL


def touch_api_token(db: Session, token: ApiToken) -> None:
    """Record that a token was used, in a short write transaction of its own on `db`."""
    with writing(db):
        db.exec(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=utcnow()))


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns; they are stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


aware = _aware  # public alias for other services (bans, edit windows)
