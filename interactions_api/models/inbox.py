"""The authoring inbox: submissions, their revisions, review remarks, history, the outbox
of builds owed and the record of each build (tables), and an article's fields as the
services take them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from interactions_api.models.common import utcnow


class Status(enum.StrEnum):
    """Where a submission stands in review."""

    draft = "draft"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"  # approved, waiting for its build
    scheduled = "scheduled"  # approved, waiting for its publish_at
    published = "published"
    rejected = "rejected"


@dataclass(frozen=True, slots=True)
class PostFields:
    """The front matter fields an author fills in, and the body."""

    title: str
    body: str
    tags: tuple[str, ...] = ()
    summary: str = ""
    cover_src: str = ""
    cover_alt: str = ""
    date: datetime | None = None
    category: str = ""
    series: str = ""
    canonical: str = ""
    toc: bool = False


class Submission(SQLModel, table=True):
    """An article moving through review; its text lives in its revisions."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    slug: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    status: str = Field(default=Status.draft.value, max_length=20, index=True)
    # Optimistic lock: every change bumps it; a change made from an older version is refused.
    version: int = 1
    current_revision_id: int | None = None
    approved_revision_id: int | None = None  # approved, not yet published
    published_revision_id: int | None = None  # what readers see
    publish_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    live_url: str = Field(default="", max_length=500)
    updated_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Revision(SQLModel, table=True):
    """One saved text of a submission: front matter fields and the Markdown body."""

    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    number: int
    title: str = Field(max_length=200)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", max_length=500)
    cover_src: str = Field(default="", max_length=300)
    cover_alt: str = Field(default="", max_length=300)
    date: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    category: str = Field(default="", max_length=80)
    series: str = Field(default="", max_length=80)
    canonical: str = Field(default="", max_length=300)
    toc: bool = False
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    commit_sha: str | None = Field(default=None, max_length=64)  # once in the content repo


class SubmissionImage(SQLModel, table=True):
    """An image uploaded for a submission: every revision of it may use every image, and
    all of them are committed with the article when it is published."""

    __tablename__ = "submission_image"
    __table_args__ = (UniqueConstraint("submission_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)  # the stored name: content hash and extension
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class ReviewRemark(SQLModel, table=True):
    """An editor's remark on a submission, or an answer to one (threaded by parent_id)."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    revision_number: int
    parent_id: int | None = Field(default=None, foreign_key="reviewremark.id")
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class HistoryEntry(SQLModel, table=True):
    """One transition or event of a submission: who, when, what."""

    __tablename__ = "submission_history"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # None: the system
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    action: str = Field(max_length=40)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class OutboxEntry(SQLModel, table=True):
    """A publish owed: written in the same transaction as the approval that causes it."""

    __tablename__ = "publish_outbox"

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=40, index=True)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # the approving editor
    reason: str = Field(max_length=40)  # approve, schedule, push, rebuild
    due_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    done_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)
    build_id: int | None = None
    outcome: str = Field(default="", max_length=20)  # published, failed


class BuildRecord(SQLModel, table=True):
    """What one build job did: pages changed, uploads, duration, log and errors."""

    __tablename__ = "site_build"

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=40, index=True)
    status: str = Field(default="running", max_length=20)  # running, succeeded, failed
    worker: str = Field(default="", max_length=200)  # host:pid that ran it
    started_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    commit_sha: str = Field(default="", max_length=64)
    pages_changed: int = 0
    uploads: int = 0
    deletes: int = 0
    seconds: float = 0.0
    log: str = Field(default="", sa_column=Column(Text, nullable=False))
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outbox_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
