"""Likes on articles and comments: idempotent, one row per user and target.

A like is an `INSERT ... ON CONFLICT DO NOTHING` and an unlike a `DELETE`, so repeating
either changes nothing and two concurrent requests cannot create two rows or lose one.
Counts are always `COUNT(*)` of the rows, read in the same transaction as the change.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete

from interactions_api.errors import NotFound
from interactions_api.models.comment import Comment, CommentLike, CommentStatus, ThreadLike
from interactions_api.models.common import utcnow
from interactions_api.models.user import User
from interactions_api.services.moderation import ensure_not_banned


def insert_ignoring_duplicates(db: Session, model: Any, values: dict[str, Any]) -> None:
    """INSERT a row unless its primary key exists (ON CONFLICT DO NOTHING): race-free."""
    db.execute(_insert_statement(db.get_bind().dialect.name, model.__table__), values)


@functools.cache
def _insert_statement(dialect: str, table: Table) -> Any:
    # Built once per table; the row's values are bound when it runs.
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise RuntimeError(f"unsupported database dialect {dialect!r}")  # pragma: no cover


def thread_likes(db: Session, thread_id: str) -> int:
    """How many accounts like the article."""
    return int(db.execute(_thread_likes_statement(), {"thread_id": thread_id}).scalar_one())


@functools.cache
def _thread_likes_statement() -> Any:
    return (
        select(func.count())
        .select_from(ThreadLike)
        .where(col(ThreadLike.thread_id) == bindparam("thread_id"))
    )


def comment_likes(db: Session, comment_id: int) -> int:
    """How many accounts like the comment."""
    stmt = (
        select(func.count())
        .select_from(CommentLike)
        .where(col(CommentLike.comment_id) == comment_id)
    )
    return int(db.execute(stmt).scalar_one())


def set_thread_like(db: Session, *, user: User, thread_id: str, liked: bool) -> int:
    """Like (or unlike) an article on a thread known to exist; returns the new count."""
    ensure_not_banned(user)
    if liked:
        values = {"thread_id": thread_id, "user_id": user.id, "created_at": utcnow()}
        insert_ignoring_duplicates(db, ThreadLike, values)
    else:
        db.execute(_thread_unlike_statement(), {"thread_id": thread_id, "user_id": user.id})
    return thread_likes(db, thread_id)


@functools.cache
def _thread_unlike_statement() -> Any:
    return delete(ThreadLike).where(
        col(ThreadLike.thread_id) == bindparam("thread_id"),
        col(ThreadLike.user_id) == bindparam("user_id"),
    )


def likeable_comment(db: Session, comment_id: int) -> Comment:
    """A published comment, or 404 `comment_not_found`."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.deleted or comment.status != CommentStatus.approved.value:
        raise NotFound(f"No comment {comment_id}.", code="comment_not_found")
    return comment


def set_comment_like(db: Session, *, user: User, comment: Comment, liked: bool) -> int:
    """Like (or unlike) a published comment; returns the new count."""
    ensure_not_banned(user)
    if liked:
        values = {"comment_id": comment.id, "user_id": user.id, "created_at": utcnow()}
        insert_ignoring_duplicates(db, CommentLike, values)
    else:
        db.exec(
            delete(CommentLike).where(
                col(CommentLike.comment_id) == comment.id, col(CommentLike.user_id) == user.id
            )
        )
    assert comment.id is not None
    return comment_likes(db, comment.id)
