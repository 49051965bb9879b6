"""Request bodies and response shapes of the moderation lists and admin routes that
Studio's screens use (bulk decisions, a commenter's history, bans, site settings)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from interactions_api.config import ModerationMode
from interactions_api.models.comment_io import ID_MAX
from interactions_api.models.common import StrictBody

BulkAction = Literal["approve", "reject", "spam"]


class BulkIn(StrictBody):
    """One decision for several comments."""

    ids: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(min_length=1, max_length=500)
    action: BulkAction


class BulkOut(BaseModel):
    """The comments decided (one gone meanwhile is left out) and their new status."""

    decided: list[int]
    status: str


class HistoryComment(BaseModel):
    """One of a commenter's comments, whatever its status."""

    id: int
    thread: str
    body: str
    status: str
    reason: str
    deleted: bool
    created_at: datetime


class HistoryOut(BaseModel):
    """A commenter's comments, newest first, with a count per status and the ban state."""

    user_id: int
    display_name: str
    banned_until: datetime | None
    ban_reason: str
    counts: dict[str, int]
    total: int
    comments: list[HistoryComment]


class BanEntryOut(BaseModel):
    """An account under a ban."""

    user_id: int
    display_name: str
    banned_until: datetime
    reason: str
    banned_by: str | None
    since: datetime | None


class BansOut(BaseModel):
    """Every account banned now, the ban ending soonest first."""

    bans: list[BanEntryOut]


class ModeIO(StrictBody):
    """The moderation mode: which comments wait for an editor."""

    mode: ModerationMode


class ReportIn(StrictBody):
    """Why a reader reports a comment (optional)."""

    reason: str = Field(default="", max_length=500)


class ReportedOut(BaseModel):
    """The report is recorded (reporting again changes nothing)."""

    reported: bool = True


class ReportedComment(BaseModel):
    """A published comment with open reports."""

    id: int
    thread: str
    body: str
    author: str | None
    reports: int
    reasons: list[str]


class ReportsOut(BaseModel):
    """Published comments with open reports, the most reported first."""

    total: int
    comments: list[ReportedComment]
