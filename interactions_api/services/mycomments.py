"""The comments a person wrote, newest first, with the article each one is under.

Shared by `/api/me/comments` and Studio's account page. Removed comments are left out;
held ones are listed with their status, so the writer knows they wait for an editor.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from builder.manifest import Thread
from interactions_api.models.comment import Comment
from interactions_api.models.user import User
from interactions_api.services.listing import iso

PAGE_SIZE = 50
EXCERPT = 200


def count(db: Session, user: User) -> int:
    """How many comments the person has (removed ones not counted)."""
    query = select(func.count()).select_from(Comment)
    return int(db.exec(query.where(*_theirs(user))).one())


def _theirs(user: User) -> tuple[Any, ...]:
    return (col(Comment.author_id) == user.id, col(Comment.deleted).is_(False))


def list_comments(
    db: Session, user: User, threads: dict[str, Thread], *, page: int = 1
) -> list[dict[str, Any]]:
    """One page of the person's comments: excerpt, status, date, article title and link."""
    page = max(1, page)
    rows = db.exec(
        select(Comment)
        .where(*_theirs(user))
        .order_by(col(Comment.created_at).desc(), col(Comment.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    out = []
    for row in rows:
        thread = threads.get(row.thread_id)
        text = " ".join(row.body.split())
        out.append(
            {
                "id": row.id,
                "thread": row.thread_id,
                "title": thread.title if thread else None,
                "url": f"{thread.url}#comment-{row.id}" if thread else None,
                "excerpt": text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…",
                "status": row.status,
                "created_at": iso(row.created_at),
            }
        )
    return out
