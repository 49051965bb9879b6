"""A reader's reading list: bookmarked articles (idempotent add and remove)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select

from builder.manifest import Thread
from interactions_api.models.comment import Bookmark
from interactions_api.models.common import utcnow
from interactions_api.models.user import User
from interactions_api.services.likes import insert_ignoring_duplicates
from interactions_api.services.listing import iso

MAX_LISTED = 1000


def set_bookmark(db: Session, *, user: User, thread_id: str, bookmarked: bool) -> bool:
    """Add or remove an article (known to exist) from the reader's list."""
    if bookmarked:
        values = {"user_id": user.id, "thread_id": thread_id, "created_at": utcnow()}
        insert_ignoring_duplicates(db, Bookmark, values)
    else:
        db.exec(
            delete(Bookmark).where(
                col(Bookmark.user_id) == user.id, col(Bookmark.thread_id) == thread_id
            )
        )
    return bookmarked


def reading_list(db: Session, *, user: User, threads: dict[str, Thread]) -> list[dict[str, Any]]:
    """The reader's bookmarks, newest first, titled from the published manifest.

    An article that is no longer published stays on the list (it may come back) with
    `published: false` and no title or URL.
    """
    rows = db.exec(
        select(Bookmark)
        .where(col(Bookmark.user_id) == user.id)
        .order_by(col(Bookmark.created_at).desc(), col(Bookmark.thread_id))
        .limit(MAX_LISTED)
    ).all()
    out: list[dict[str, Any]] = []
    for row in rows:
        thread = threads.get(row.thread_id)
        out.append(
            {
                "thread": row.thread_id,
                "title": None if thread is None else thread.title,
                "url": None if thread is None else thread.url,
                "date": None if thread is None else thread.date,
                "published": thread is not None,
                "created_at": iso(row.created_at),
            }
        )
    return out
