"""Moderation: which comments wait for an editor, the queue, bans and blocked words.

`decide()` is the one guard every new or edited comment passes: it returns a status and
the reason, so the queue can show editors why a comment is waiting.

Blocked words send a comment to the queue rather than refusing it: a word list always
catches innocent text too (names, quotes, other languages), and an editor can approve
those, while a refusal would silently lose a reader's comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from interactions_api.config import ModerationMode
from interactions_api.errors import Forbidden, NotFound, Unprocessable
from interactions_api.models.comment import Ban, BlockedWord, Comment, CommentStatus, as_utc
from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from interactions_api.services import markup

MAX_BLOCKED_WORDS = 1000
MAX_BAN_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a comment goes, and why."""

    status: CommentStatus
    reason: str = ""


def decide(
    db: Session,
    *,
    mode: ModerationMode,
    user: User | None,
    body: str,
    html: str,
    is_new: bool,
) -> Decision:
    """Decide whether a comment is published at once or waits for an editor."""
    if user is not None and user.role >= Role.editor:
        return Decision(CommentStatus.approved)
    if user is None:
        return Decision(CommentStatus.pending, "anonymous")
    word = blocked_word_in(db, body)
    if word is not None:
        return Decision(CommentStatus.pending, "blocked_word")
    if mode == "all":
        return Decision(CommentStatus.pending, "all")
    if mode == "links" and markup.has_links(body, html):
        return Decision(CommentStatus.pending, "links")
    if mode == "first" and is_new and not _has_approved_comment(db, user):
        return Decision(CommentStatus.pending, "first_comment")
    return Decision(CommentStatus.approved)


def _has_approved_comment(db: Session, user: User) -> bool:
    found = db.exec(
        select(Comment.id)
        .where(col(Comment.author_id) == user.id)
        .where(col(Comment.status) == CommentStatus.approved.value)
        .limit(1)
    ).first()
    return found is not None


# --- blocked words -------------------------------------------------------------------


def blocked_words(db: Session) -> list[str]:
    """The blocked-words list, sorted."""
    return list(db.exec(select(BlockedWord.word).order_by(col(BlockedWord.word))).all())


def set_blocked_words(db: Session, words: list[str]) -> list[str]:
    """Replace the list. Words are case-folded, trimmed and de-duplicated."""
    words = [w.replace("\x00", "") for w in words]
    cleaned = sorted({" ".join(w.split()).casefold() for w in words if w.strip()})
    if len(cleaned) > MAX_BLOCKED_WORDS:
        raise Unprocessable(f"At most {MAX_BLOCKED_WORDS} blocked words.", code="too_many")
    too_long = [w for w in cleaned if len(w) > 100]
    if too_long:
        raise Unprocessable(f"Blocked word too long (100 characters max): {too_long[0][:40]!r}")
    db.exec(delete(BlockedWord))
    for word in cleaned:
        db.add(BlockedWord(word=word))
    db.flush()
    return cleaned


def blocked_word_in(db: Session, text: str) -> str | None:
    """The first blocked word found in `text` as a whole word (case-insensitive), if any."""
    words = blocked_words(db)
    if not words:
        return None
    folded = text.casefold()
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            return word
    return None


# --- the queue -----------------------------------------------------------------------


def queue(
    db: Session, status: CommentStatus, *, limit: int = 100
) -> list[tuple[Comment, User | None]]:
    """Comments waiting (pending) or caught (spam), oldest first, with their authors."""
    rows = db.exec(
        select(Comment, User)
        .join(User, col(User.id) == col(Comment.author_id), isouter=True)
        .where(col(Comment.status) == status.value)
        .order_by(col(Comment.id))
        .limit(limit)
    ).all()
    return [(c, u) for c, u in rows]


def queue_size(db: Session, status: CommentStatus) -> int:
    """How many comments have this status."""
    return int(db.exec(select(func.count()).where(col(Comment.status) == status.value)).one())


def set_status(db: Session, comment_id: int, status: CommentStatus) -> Comment:
    """Approve, reject or mark a comment as spam (an editor's decision)."""
    comment = db.get(Comment, comment_id)
    if comment is None or (comment.deleted and comment.status == CommentStatus.approved.value):
        raise NotFound(f"No comment {comment_id}.", code="comment_not_found")
    comment.status = status.value
    comment.moderation_reason = "" if status == CommentStatus.approved else "editor"
    if status != CommentStatus.approved:
        # Replies stay; the removed comment shows as a "comment deleted" placeholder.
        comment.deleted = _has_replies(db, comment_id)
    else:
        comment.deleted = False
    db.add(comment)
    db.flush()
    return comment


def _has_replies(db: Session, comment_id: int) -> bool:
    return (
        db.exec(select(Comment.id).where(col(Comment.parent_id) == comment_id).limit(1)).first()
        is not None
    )


# --- bans ----------------------------------------------------------------------------


def ban(db: Session, *, editor: User, user_id: int, days: int, reason: str) -> User:
    """Ban an account from commenting and liking for `days` (0 lifts a ban)."""
    target = db.get(User, user_id)
    if target is None:
        raise NotFound(f"No user {user_id}.", code="user_not_found")
    if target.role >= editor.role:
        raise Forbidden("Only a higher role can ban this account.", code="role_required")
    if not 0 <= days <= MAX_BAN_DAYS:
        raise Unprocessable(f"days must be between 0 and {MAX_BAN_DAYS}.")
    until = utcnow() + timedelta(days=days)
    target.banned_until = until if days else None
    target.ban_reason = reason.replace("\x00", "")[:500] if days else ""
    db.add(target)
    reason = reason.replace("\x00", "")[:500]
    db.add(Ban(user_id=user_id, banned_by=editor.id, until=until, reason=reason))
    db.flush()
    return target


def is_banned(user: User) -> bool:
    """True while the account's ban lasts."""
    return user.banned_until is not None and as_utc(user.banned_until) > utcnow()


def ensure_not_banned(user: User) -> None:
    """Refuse a banned account with 403 `banned`."""
    if is_banned(user):
        raise Forbidden("This account is suspended from commenting and liking.", code="banned")


def comment(db: Session, comment_id: int) -> Comment | None:
    """The comment with this id, if any (whatever its status)."""
    return db.get(Comment, comment_id)
