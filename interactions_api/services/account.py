"""A signed-in person's own account: their browser sessions and personal API tokens.

One rule, two faces: the JSON API (`/api/me/sessions`, `/api/me/tokens`) and Studio's
account pages both call these. A session is never shown by its cookie value (only the
row id), a token never by its value after creation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from interactions_api.errors import NotFound, Unprocessable
from interactions_api.models.common import utcnow
from interactions_api.models.user import ApiToken, AuthSession, User
from interactions_api.services import sessions

TOKEN_NAME_MAX = 100
# The lifetimes a token may be given, in days (None: until revoked).
TOKEN_LIFETIMES: tuple[int | None, ...] = (7, 30, 90, 365, None)


@dataclass(frozen=True)
class SessionInfo:
    """One of the account's signed-in browsers."""

    id: int
    created_at: datetime
    expires_at: datetime
    current: bool


def _uid(user: User) -> int:
    assert user.id is not None
    return user.id


def list_sessions(db: Session, user: User, current_token: str | None) -> list[SessionInfo]:
    """The account's sessions still valid, newest first; `current` marks this browser's."""
    here = sessions.hash_token(current_token) if current_token else ""
    rows = db.exec(
        select(AuthSession)
        .where(col(AuthSession.user_id) == _uid(user), col(AuthSession.expires_at) > utcnow())
        .order_by(col(AuthSession.id).desc())
    ).all()
    return [
        SessionInfo(
            id=int(r.id or 0),
            created_at=sessions.aware(r.created_at),
            expires_at=sessions.aware(r.expires_at),
            current=r.token_hash == here,
        )
        for r in rows
    ]


def end_session_by_id(db: Session, user: User, session_id: int) -> None:
    """Sign one of the account's browsers out (its next request is signed out)."""
    result = db.exec(
        delete(AuthSession).where(
            col(AuthSession.id) == session_id, col(AuthSession.user_id) == _uid(user)
        )
    )
    if result.rowcount == 0:
        raise NotFound(f"You have no session {session_id}.", code="session_not_found")


def end_other_sessions(db: Session, user: User, current_token: str | None) -> int:
    """Sign every other browser of the account out; returns how many were ended."""
    query = delete(AuthSession).where(col(AuthSession.user_id) == _uid(user))
    if current_token:
        query = query.where(col(AuthSession.token_hash) != sessions.hash_token(current_token))
    return int(db.exec(query).rowcount or 0)


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    """The account's personal API tokens, oldest first (expired ones too, marked by date)."""
    return sessions.api_tokens(db, user)


def create_token(db: Session, user: User, *, name: str, days: int | None) -> tuple[ApiToken, str]:
    """A new token named `name`, valid `days` days (None: until revoked); its value is
    returned this once."""
    clean = " ".join(name.split())
    if not clean:
        raise Unprocessable("Give the token a name, e.g. the script that will use it.",
                            code="invalid_token_name", field="name")  # fmt: skip
    if len(clean) > TOKEN_NAME_MAX:
        raise Unprocessable(f"The name is longer than {TOKEN_NAME_MAX} characters.",
                            code="invalid_token_name", field="name")  # fmt: skip
    if days not in TOKEN_LIFETIMES:
        allowed = ", ".join(str(d) for d in TOKEN_LIFETIMES if d) + " days or never"
        raise Unprocessable(f"A token lasts {allowed}.", code="invalid_expiry", field="expires")
    expires = utcnow() + timedelta(days=days) if days else None
    return sessions.create_api_token(db, user, clean, expires)


def revoke_token(db: Session, user: User, token_id: int) -> None:
    """Revoke one of the account's tokens; it stops working at once."""
    sessions.revoke_api_token(db, user, token_id)


def token_expired(token: ApiToken) -> bool:
    """Whether the token's lifetime is over (it no longer works)."""
    return token.expires_at is not None and sessions.aware(token.expires_at) <= utcnow()


def set_mail_preferences(
    db: Session, user: User, *, replies: bool | None = None, review: bool | None = None
) -> User:
    """Turn reply mails, and (editors) new-submission mails, on or off (None: unchanged)."""
    if replies is not None:
        user.mail_replies = replies
    if review is not None:
        user.mail_review = review
    db.add(user)
    db.flush()
    return user
