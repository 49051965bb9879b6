"""Request bodies and response shapes of the comment, like, bookmark and moderation routes.

The hot listing route builds its JSON directly (see `services.listing`); these models
document that shape in the OpenAPI schema and validate the other responses.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

from interactions_api.models.common import StrictBody

# Requests may be a little larger than the stored cap so the service can answer with a
# clear `too_long` naming the limit; the request guard caps whole bodies anyway.
BODY_CHARS_MAX = 200_000
ID_MAX = 2_147_483_647  # a 32-bit INTEGER column (PostgreSQL); larger ids cannot exist

CommentId = Annotated[int, Path(ge=1, le=ID_MAX, description="A comment's id.")]
UserId = Annotated[int, Path(ge=1, le=ID_MAX, description="An account's id.")]


class AuthorOut(BaseModel):
    """Who wrote a comment; `id` is null for an anonymous comment."""

    id: int | None
    display_name: str
    website: str | None


class CommentOut(BaseModel):
    """One comment. Deleted ones with replies keep their place with empty `html`."""

    id: int
    parent_id: int | None
    depth: int
    author: AuthorOut | None
    html: str
    created_at: str
    edited_at: str | None
    deleted: bool
    likes: int
    status: Literal["approved", "pending"]


class ThreadOut(BaseModel):
    """A thread's approved comments, oldest first, with its totals."""

    thread: str
    count: int
    likes: int
    comments: list[CommentOut]


class MyThreadOut(BaseModel):
    """What the caller has done on a thread (all empty for anonymous callers)."""

    liked: bool
    bookmarked: bool
    liked_comments: list[int]
    pending: list[CommentOut]
    editable: list[int]
    bodies: dict[str, str] = Field(
        default_factory=dict,
        description="The Markdown source of the caller's own editable comments, by id.",
    )


class NewCommentIn(StrictBody):
    """A new comment. `name`, `website`, `hp` and `elapsed_ms` matter for anonymous ones."""

    body: str = Field(max_length=BODY_CHARS_MAX)
    parent_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    name: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=1000)
    hp: str | None = Field(default=None, max_length=1000, description="Honeypot: leave empty.")
    elapsed_ms: int | None = Field(
        default=None, ge=0, le=10**12, description="Time spent on the page."
    )
    notify_replies: bool = Field(
        default=False, description="Mail me when someone replies (signed-in authors only)."
    )


class CommentBodyIn(StrictBody):
    """A comment's Markdown text (edit and preview)."""

    body: str = Field(max_length=BODY_CHARS_MAX)


class PreviewOut(BaseModel):
    """The HTML a comment body would be stored as."""

    html: str


class LikeOut(BaseModel):
    """The caller's like and the new total."""

    liked: bool
    likes: int


class EmptyIn(StrictBody):
    """An empty JSON object (`{}`): PUT/DELETE send one so the content type is JSON."""


class BookmarkOut(BaseModel):
    """Whether the article is on the caller's reading list."""

    bookmarked: bool


class BookmarkItem(BaseModel):
    """One saved article; title and url are null once it is no longer published."""

    thread: str
    title: str | None
    url: str | None
    date: str | None
    published: bool
    created_at: str | None


class BookmarksOut(BaseModel):
    """The caller's reading list, newest first."""

    bookmarks: list[BookmarkItem]


class ThreadCounts(BaseModel):
    """Totals of one thread."""

    comments: int
    likes: int


class CountsOut(BaseModel):
    """Totals of the requested threads that exist."""

    counts: dict[str, ThreadCounts]


class QueueItem(BaseModel):
    """A comment in the moderation queue, with its source text and why it waits."""

    id: int
    thread: str
    parent_id: int | None
    author: AuthorOut | None
    author_email_verified: bool | None
    body: str
    html: str
    reason: str
    status: str
    created_at: str | None


class QueueOut(BaseModel):
    """A page of the moderation queue, oldest first."""

    status: str
    total: int
    comments: list[QueueItem]


class ModeratedOut(BaseModel):
    """A comment after an editor's decision."""

    id: int
    status: str
    deleted: bool


class BanIn(StrictBody):
    """Ban an account for `days` (0 lifts the ban)."""

    days: int = Field(ge=0, le=3650)
    reason: str = Field(default="", max_length=500)


class BanOut(BaseModel):
    """The account's ban state."""

    user_id: int
    banned_until: str | None


class BlockedWordsIO(StrictBody):
    """The blocked-words list (a comment containing one waits in the queue)."""

    words: list[str] = Field(max_length=1000)
