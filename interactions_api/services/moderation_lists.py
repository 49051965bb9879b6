"""What a moderator looks at: a commenter's history and the accounts under a ban.

The queue itself and every decision are in `moderation` and `comment_changes`; these
are the read-only lists Studio's moderation screens and the JSON API share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from interactions_api.errors import NotFound
from interactions_api.models.comment import Ban, Comment
from interactions_api.models.common import utcnow
from interactions_api.models.user import User
from interactions_api.services import users

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class History:
    """A commenter's comments (newest first) and how many have each status."""

    user: User
    comments: list[Comment]
    counts: dict[str, int]
    total: int


def history(db: Session, user_id: int, *, limit: int = HISTORY_LIMIT) -> History:
    """The account's comments, newest first, or 404 `user_not_found`."""
    user = users.get(db, user_id)
    mine = col(Comment.author_id) == user_id
    rows = db.exec(select(Comment).where(mine).order_by(col(Comment.id).desc()).limit(limit))
    counted = db.exec(select(Comment.status, func.count()).where(mine).group_by(Comment.status))
    counts = {status: int(n) for status, n in counted.all()}
    return History(user=user, comments=list(rows.all()), counts=counts, total=sum(counts.values()))


@dataclass(frozen=True)
class BanEntry:
    """An account under a ban: until when, why and by whom."""

    user: User
    until: datetime
    reason: str
    banned_by: User | None
    since: datetime | None


def active_bans(db: Session, *, limit: int = 500) -> list[BanEntry]:
    """Accounts banned now, the ban ending soonest first."""
    banned = db.exec(
        select(User)
        .where(col(User.banned_until).is_not(None))
        .where(col(User.banned_until) > utcnow())
        .order_by(col(User.banned_until))
        .limit(limit)
    ).all()
    entries = []
    for user in banned:
        record = db.exec(
            select(Ban).where(col(Ban.user_id) == user.id).order_by(col(Ban.id).desc()).limit(1)
        ).first()
        assert user.banned_until is not None
        entries.append(
            BanEntry(
                user=user,
                until=user.banned_until,
                reason=user.ban_reason,
                banned_by=users.find(db, record.banned_by) if record else None,
                since=record.created_at if record else None,
            )
        )
    return entries


def account_by_email(db: Session, email: str) -> User:
    """The account with this address, or 404 naming the address."""
    user = users.by_email(db, email.strip()) if email.strip() else None
    if user is None:
        raise NotFound(f"There is no account with the address {email.strip()!r}.",
                       code="user_not_found", field="email")  # fmt: skip
    return user
