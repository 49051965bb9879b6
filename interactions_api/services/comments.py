"""Comment rules: post, edit, delete. Listing lives in `services.listing`.

The tree: `parent_id` is the comment shown as the parent and `depth` its display depth.
A reply to a comment already at `max_depth` attaches to that comment's parent, so it is
shown at the cap next to the comment it answers instead of indenting forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from interactions_api.config import Settings
from interactions_api.db import reading
from interactions_api.errors import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    Unprocessable,
)
from interactions_api.models.comment import Comment, CommentLike, CommentStatus, as_utc
from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from interactions_api.services import markup, moderation, sitesettings

NAME_MAX = 80


@dataclass(frozen=True, slots=True)
class NewComment:
    """What a request to post a comment carries, already parsed."""

    body: str
    parent_id: int | None = None
    name: str | None = None
    website: str | None = None
    hp: str | None = None
    elapsed_ms: int | None = None
    notify_replies: bool = False


def check_body(settings: Settings, body: str) -> str:
    """Refuse an empty or oversized body; returns the body with outer blank lines removed."""
    size = len(body.encode("utf-8"))
    if size > settings.comment_max_bytes:
        raise PayloadTooLarge(
            f"The comment is {size} bytes; the limit is {settings.comment_max_bytes}.",
            code="too_long",
        )
    # NUL is never text, and PostgreSQL refuses it in a string.
    body = body.replace("\x00", "").strip("\r\n")
    if not body.strip():
        raise Unprocessable("The comment is empty.", code="empty")
    return body


def create(
    db: Session, settings: Settings, *, user: User | None, thread_id: str, new: NewComment
) -> Comment:
    """Store a new comment (approved or pending) on a thread known to exist."""
    body = check_body(settings, new.body)
    name, website = "", ""
    if user is None:
        name, website = _check_anonymous(settings, new)
    else:
        moderation.ensure_not_banned(user)
    html = markup.render(body)  # before the first query
    # The checks only read: outside the write transaction, so the write lock (SQLite's
    # one writer) is held for the insert alone, not also for these queries.
    with reading(db):
        parent_id, depth = _placement(db, settings, thread_id, new.parent_id)
        decision = moderation.decide(
            db,
            mode=sitesettings.moderation_mode(db, settings),
            user=user,
            body=body,
            html=html,
            is_new=True,
        )
    comment = Comment(
        thread_id=thread_id,
        parent_id=parent_id,
        depth=depth,
        author_id=None if user is None else user.id,
        author_name=name,
        author_website=website,
        body=body,
        html=html,
        status=decision.status.value,
        moderation_reason=decision.reason,
        # Only an account has an address to mail replies to.
        notify_replies=new.notify_replies and user is not None,
    )
    db.add(comment)
    db.flush()
    return comment


def _check_anonymous(settings: Settings, new: NewComment) -> tuple[str, str]:
    if not settings.anonymous_comments:
        raise Unauthorized("Sign in to comment.")
    if new.hp:
        # The honeypot field is hidden from people; only form-filling robots fill it in.
        raise Unprocessable("The comment looks automated.", code="honeypot")
    min_ms = int(settings.min_comment_seconds * 1000)
    if new.elapsed_ms is None or new.elapsed_ms < min_ms:
        raise Unprocessable(
            f"Comments can be sent {settings.min_comment_seconds:g} seconds after the page "
            "opens; please try again.",
            code="too_fast",
        )
    name = markup.plain_text(new.name or "", limit=NAME_MAX)
    if not name:
        raise Unprocessable("A name is needed to comment without an account.", code="name_required")
    website = ""
    if new.website and new.website.strip():
        safe = markup.safe_url(new.website)
        if safe is None or len(safe) > 500:
            raise Unprocessable(
                "The website must be an http:// or https:// address.", code="invalid_website"
            )
        website = safe
    return name, website


def _placement(
    db: Session, settings: Settings, thread_id: str, parent_id: int | None
) -> tuple[int | None, int]:
    if parent_id is None:
        return None, 0
    parent = db.get(Comment, parent_id)
    if (
        parent is None
        or parent.thread_id != thread_id
        or parent.deleted
        or parent.status != CommentStatus.approved.value
    ):
        raise Unprocessable(
            f"parent_id {parent_id} is not a published comment of this thread.",
            code="invalid_parent",
        )
    if parent.depth >= settings.max_depth:
        # At the cap: become a sibling of the parent (same displayed depth).
        return parent.parent_id, parent.depth
    return parent.id, parent.depth + 1


def may_change(settings: Settings, user: User, comment: Comment) -> bool:
    """True when `user` may still edit or delete `comment`."""
    if user.role >= Role.editor:
        return True
    if comment.author_id != user.id or moderation.is_banned(user):
        return False
    return _within_window(settings, comment)


def _within_window(settings: Settings, comment: Comment) -> bool:
    window = timedelta(seconds=settings.edit_window_seconds)
    return utcnow() - as_utc(comment.created_at) <= window


def _changeable(db: Session, settings: Settings, user: User, comment_id: int) -> Comment:
    comment = db.get(Comment, comment_id)
    if comment is None or comment.deleted:
        raise NotFound(f"No comment {comment_id}.", code="comment_not_found")
    if user.role < Role.editor:
        if comment.author_id != user.id:
            raise Forbidden("Only its author or an editor can change a comment.", code="not_author")
        moderation.ensure_not_banned(user)
        if not _within_window(settings, comment):
            minutes = settings.edit_window_seconds // 60
            raise Forbidden(
                f"Comments can be changed for {minutes} minutes after posting.",
                code="edit_window_closed",
            )
    return comment


def edit(db: Session, settings: Settings, *, user: User, comment_id: int, body: str) -> Comment:
    """Replace a comment's text; it goes back to the queue if the new text needs review."""
    comment = _changeable(db, settings, user, comment_id)
    body = check_body(settings, body)
    html = markup.render(body)
    author = user if comment.author_id == user.id else None
    if author is not None and comment.status == CommentStatus.approved.value:
        decision = moderation.decide(
            db,
            mode=sitesettings.moderation_mode(db, settings),
            user=author,
            body=body,
            html=html,
            is_new=False,
        )
        comment.status = decision.status.value
        comment.moderation_reason = decision.reason
    comment.body, comment.html, comment.edited_at = body, html, utcnow()
    db.add(comment)
    db.flush()
    return comment


def remove(db: Session, settings: Settings, *, user: User, comment_id: int) -> str:
    """Delete a comment: soft when it has replies (the thread keeps its shape), else hard.

    Returns the comment's thread id.
    """
    comment = _changeable(db, settings, user, comment_id)
    thread_id = comment.thread_id
    _remove(db, comment)
    return thread_id


def _remove(db: Session, comment: Comment) -> None:
    if _has_children(db, comment.id):
        comment.deleted = True
        comment.body = comment.html = ""
        db.add(comment)
        db.flush()
        return
    parent_id = comment.parent_id
    db.exec(delete(CommentLike).where(col(CommentLike.comment_id) == comment.id))
    db.delete(comment)
    db.flush()
    # A placeholder left with no replies has nothing left to hold together.
    if parent_id is not None:
        parent = db.get(Comment, parent_id)
        if parent is not None and parent.deleted and parent.status == CommentStatus.approved:
            _remove(db, parent)


def _has_children(db: Session, comment_id: int | None) -> bool:
    found = db.exec(select(Comment.id).where(col(Comment.parent_id) == comment_id).limit(1))
    return found.first() is not None
