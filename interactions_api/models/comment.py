"""Comments, likes, bookmarks, bans and the blocked-words list."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from interactions_api.models.common import utcnow

THREAD_ID_MAX = 200  # thread ids come from the builder's manifest (slugs or paths)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CommentStatus(enum.StrEnum):
    """Where a comment is in moderation. Only `approved` ones are listed publicly."""

    approved = "approved"
    pending = "pending"
    rejected = "rejected"
    spam = "spam"


class Comment(SQLModel, table=True):
    """One comment. The tree is `parent_id`; `depth` is the display depth (capped)."""

    # AUTOINCREMENT: SQLite would otherwise reuse the id of a deleted last comment, and
    # `since=<id>` fetches and #comment-<id> links must never point at another comment.
    __table_args__ = (
        Index("ix_comment_thread_id_id", "thread_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(max_length=THREAD_ID_MAX)
    # No ON DELETE: a comment with replies is soft-deleted, never removed under them.
    parent_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    depth: int = 0
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    # Anonymous comments only; signed-in authors are shown from their profile.
    author_name: str = Field(default="", max_length=80)
    author_website: str = Field(default="", max_length=500)
    body: str = ""  # the Markdown source, kept for editing and for spam review
    html: str = ""  # rendered and sanitised once, at write time
    status: str = Field(
        default=CommentStatus.approved.value, sa_column=Column(String(16), nullable=False)
    )
    moderation_reason: str = Field(default="", max_length=40)
    deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    edited_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The author asked to be mailed when someone replies (opt-in, per comment).
    notify_replies: bool = False


class ThreadLike(SQLModel, table=True):
    """A like on an article; the primary key makes it one per user and thread."""

    thread_id: str = Field(primary_key=True, max_length=THREAD_ID_MAX)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class CommentLike(SQLModel, table=True):
    """A like on a comment; the primary key makes it one per user and comment."""

    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Bookmark(SQLModel, table=True):
    """An article on a reader's reading list."""

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    thread_id: str = Field(primary_key=True, max_length=THREAD_ID_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Ban(SQLModel, table=True):
    """An audit record of a ban; `User.banned_until` is what is enforced."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    banned_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    until: datetime = Field(sa_type=DateTime(timezone=True))
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class BlockedWord(SQLModel, table=True):
    """A word or phrase that sends a comment to the moderation queue."""

    word: str = Field(primary_key=True, max_length=100)


class CommentReport(SQLModel, table=True):
    """A reader's report of a published comment; open until an editor decides on it."""

    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("comment.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    reporter_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
