"""Readers report published comments; the reported ones wait in the moderators' queue.

A report changes nothing readers see: the comment stays up until an editor decides
(keep it, remove it or mark it as spam), and that decision closes every open report on
it. One report per reader and comment; reporting again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from interactions_api.errors import NotFound
from interactions_api.models.comment import Comment, CommentReport, CommentStatus
from interactions_api.models.common import utcnow
from interactions_api.models.user import User
from interactions_api.services import moderation

REASON_MAX = 500


def report(db: Session, *, user: User, comment_id: int, reason: str) -> None:
    """Report a published comment (404 if it is not one)."""
    moderation.ensure_not_banned(user)
    comment = db.get(Comment, comment_id)
    if comment is None or comment.status != CommentStatus.approved.value or comment.deleted:
        raise NotFound(f"No comment {comment_id}.", code="comment_not_found")
    assert user.id is not None
    text = " ".join(reason.replace("\x00", "").split())[:REASON_MAX]
    try:
        with db.begin_nested():
            db.add(CommentReport(comment_id=comment_id, reporter_id=user.id, reason=text))
    except IntegrityError:
        pass  # reported already: one report per reader


def resolve(db: Session, comment_id: int) -> None:
    """Close the open reports on a comment (an editor decided on it)."""
    db.exec(
        update(CommentReport)
        .where(col(CommentReport.comment_id) == comment_id)
        .where(col(CommentReport.resolved_at).is_(None))
        .values(resolved_at=utcnow())
    )


@dataclass(frozen=True)
class Reported:
    """A comment with open reports: how many, and the reasons given."""

    comment: Comment
    author: User | None
    count: int
    reasons: list[str]


def _open() -> ColumnElement[bool]:
    return col(CommentReport.resolved_at).is_(None)


def reported(db: Session, *, limit: int = 100) -> list[Reported]:
    """Published comments with open reports, the most reported first."""
    counts = db.exec(
        select(CommentReport.comment_id, func.count())
        .where(_open())
        .group_by(col(CommentReport.comment_id))
        .order_by(func.count().desc(), col(CommentReport.comment_id))
        .limit(limit)
    ).all()
    found = []
    for comment_id, count in counts:
        comment = db.get(Comment, comment_id)
        if comment is None:
            continue
        reasons = db.exec(
            select(CommentReport.reason)
            .where(col(CommentReport.comment_id) == comment_id, _open())
            .order_by(col(CommentReport.id))
        ).all()
        author = db.get(User, comment.author_id) if comment.author_id else None
        found.append(Reported(comment, author, int(count), [r for r in reasons if r]))
    return found


def reported_count(db: Session) -> int:
    """How many comments have open reports."""
    query = select(func.count(func.distinct(CommentReport.comment_id))).where(_open())
    return int(db.exec(query).one())
