"""SQLModel tables and their request/response shapes. Importing this registers every table."""

from interactions_api.models.comment import (
    Ban,
    BlockedWord,
    Bookmark,
    Comment,
    CommentLike,
    CommentReport,
    CommentStatus,
    ThreadLike,
)
from interactions_api.models.inbox import (
    BuildRecord,
    HistoryEntry,
    OutboxEntry,
    ReviewRemark,
    Revision,
    Submission,
)
from interactions_api.models.site import SiteSetting
from interactions_api.models.user import ApiToken, AuthSession, Role, User

__all__ = [
    "ApiToken",
    "AuthSession",
    "Ban",
    "BlockedWord",
    "Bookmark",
    "BuildRecord",
    "Comment",
    "CommentLike",
    "CommentReport",
    "CommentStatus",
    "HistoryEntry",
    "OutboxEntry",
    "ReviewRemark",
    "Revision",
    "Role",
    "SiteSetting",
    "Submission",
    "ThreadLike",
    "User",
]
