"""Request and response shapes of the inbox API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from interactions_api.models.common import StrictBody
from interactions_api.models.inbox import (
    BuildRecord,
    HistoryEntry,
    PostFields,
    ReviewRemark,
    Revision,
    Submission,
)


class PostIn(StrictBody):
    """The author's fields: front matter as fields, and the Markdown body."""

    title: str = Field(max_length=200)
    body: str = Field("", max_length=200_000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    summary: str = Field("", max_length=500)
    cover_src: str = Field("", max_length=300)
    cover_alt: str = Field("", max_length=300)
    date: datetime | None = None
    category: str = Field("", max_length=80)
    series: str = Field("", max_length=80)
    canonical: str = Field("", max_length=300, description="The original's URL (http/https).")
    toc: bool = Field(False, description="Show a table of contents.")

    def fields(self) -> PostFields:
        """As the services take them."""
        tags = tuple(dict.fromkeys(t.strip() for t in self.tags if t.strip()))
        return PostFields(
            title=self.title,
            body=self.body,
            tags=tags,
            summary=self.summary.strip(),
            cover_src=self.cover_src.strip(),
            cover_alt=self.cover_alt.strip(),
            date=self.date,
            category=self.category.strip(),
            series=self.series.strip(),
            canonical=self.canonical.strip(),
            toc=self.toc,
        )


class SubmissionCreate(PostIn):
    """A new submission; the slug defaults to one made from the title."""

    slug: str | None = Field(None, max_length=80)


class RevisionIn(PostIn):
    """A new revision, made from the version the author loaded."""

    version: int


class ActionIn(StrictBody):
    """A review action on the version the caller loaded."""

    version: int
    note: str = Field("", max_length=10_000)


class ApproveIn(ActionIn):
    """Approve now, or at `publish_at` (UTC unless an offset is given)."""

    publish_at: datetime | None = None


class RestoreIn(StrictBody):
    """Start a new revision from revision `number`."""

    version: int
    number: int


class RemarkIn(StrictBody):
    """A remark, or an answer to remark `parent_id`."""

    body: str = Field(max_length=10_000)
    parent_id: int | None = None


class RevisionOut(BaseModel):
    """One revision's fields."""

    number: int
    title: str
    tags: list[str]
    summary: str
    cover_src: str
    cover_alt: str
    date: datetime | None
    category: str
    series: str
    canonical: str
    toc: bool
    body: str
    created_at: datetime
    commit_sha: str | None

    @classmethod
    def of(cls, rev: Revision) -> RevisionOut:
        """The public shape of a revision."""
        return cls.model_validate(rev, from_attributes=True)


class SubmissionOut(BaseModel):
    """A submission with its current revision."""

    id: int
    slug: str
    status: str
    version: int
    author_id: int
    publish_at: datetime | None
    live_url: str
    updated_at: datetime
    revision: RevisionOut

    @classmethod
    def of(cls, sub: Submission, rev: Revision) -> SubmissionOut:
        """The public shape of a submission."""
        assert sub.id is not None
        return cls(
            id=sub.id,
            slug=sub.slug,
            status=sub.status,
            version=sub.version,
            author_id=sub.author_id,
            publish_at=sub.publish_at,
            live_url=sub.live_url,
            updated_at=sub.updated_at,
            revision=RevisionOut.of(rev),
        )


class RemarkOut(BaseModel):
    """A review remark."""

    id: int
    parent_id: int | None
    author_id: int
    revision_number: int
    body: str
    created_at: datetime

    @classmethod
    def of(cls, remark: ReviewRemark) -> RemarkOut:
        """The public shape of a remark."""
        return cls.model_validate(remark, from_attributes=True)


class HistoryOut(BaseModel):
    """One line of history."""

    actor_id: int | None
    at: datetime
    action: str
    from_status: str
    to_status: str
    detail: str

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryOut:
        """The public shape of a history line."""
        return cls.model_validate(entry, from_attributes=True)


class BuildOut(BaseModel):
    """What a build did."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages_changed: int
    uploads: int
    deletes: int
    seconds: float
    errors: list[str]
    log: str

    @classmethod
    def of(cls, build: BuildRecord) -> BuildOut:
        """The public shape of a build."""
        return cls.model_validate(build, from_attributes=True)


BuildState = Literal["none", "queued", "coalesced", "pending", "scheduled", "published", "failed"]


class DetailOut(BaseModel):
    """Everything about one submission."""

    submission: SubmissionOut
    revisions: list[int]
    remarks: list[RemarkOut]
    history: list[HistoryOut]
    build: BuildState
    last_build: BuildOut | None
    images: list[ImageOut]  # the submission's uploads: any revision may place them


class ApproveOut(BaseModel):
    """An approval and what happened to its build: queued, coalesced into one queued, pending
    (Redis was unreachable: the worker will pick it up), or scheduled."""

    submission: SubmissionOut
    build: BuildState


class PreviewOut(BaseModel):
    """The body rendered by the builder's own Markdown renderer."""

    html: str
    errors: list[str]


class DiffOut(BaseModel):
    """What changed against the published revision (or against nothing, for a new one)."""

    against: int | None
    fields: dict[str, tuple[str, str]]
    body: list[str]


class ImageOut(BaseModel):
    """An uploaded image and the URL to use for it in Markdown."""

    name: str
    url: str
