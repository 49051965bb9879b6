"""Opaque browser sessions and personal API tokens: issue, resolve, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select

from interactions_api.models.common import utcnow
from interactions_api.models.user import ApiToken, AuthSession, User

SESSION_COOKIE = "__Host-quire_session"
DEV_SESSION_COOKIE = "quire_session"  # `__Host-` requires Secure; plain-http development only
SESSION_LIFETIME = timedelta(days=14)


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
    db.exec(delete(AuthSession).where(col(AuthSession.token_hash) == hash_token(token)))


def end_all_sessions(db: Session, user_id: int) -> None:
    """Sign the user out everywhere (password change, ban)."""
    db.exec(delete(AuthSession).where(col(AuthSession.user_id) == user_id))


def user_for_session(db: Session, token: str) -> User | None:
    row = db.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(col(AuthSession.token_hash) == hash_token(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if _aware(auth.expires_at) <= utcnow():
        return None
    return user


def user_for_api_token(db: Session, token: str) -> User | None:
    row = db.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == hash_token(token))
    ).first()
    return None if row is None else row[1]


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns; they are stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
