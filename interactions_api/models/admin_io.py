"""Request bodies and response shapes of the admin routes (`/api/admin/*`): accounts,
invitations, site settings and the platform's health."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from interactions_api.config import ModerationMode
from interactions_api.models.common import StrictBody
from interactions_api.models.user import Role, RoleName, User

Check = Literal["ok", "down"]
# "none": no worker has a live heartbeat (builds and mail wait); "unknown": Redis is down.
WorkerCheck = Literal["ok", "none", "unknown"]


class AdminUserOut(BaseModel):
    """An account as admins see it (with email, role and ban state)."""

    id: int
    email: str
    display_name: str
    role: RoleName
    email_verified: bool
    created_at: datetime
    banned_until: datetime | None
    disabled: bool

    @classmethod
    def of(cls, user: User) -> AdminUserOut:
        """The admin view of `user`."""
        assert user.id is not None
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=Role(user.role).name,
            email_verified=user.email_verified,
            created_at=user.created_at,
            banned_until=user.banned_until,
            disabled=user.disabled,
        )


class AdminUsersOut(BaseModel):
    users: list[AdminUserOut]
    total: int


class RoleIn(StrictBody):
    role: RoleName


class InviteIn(StrictBody):
    """Invite someone by email with a role; they choose their password from the mail."""

    email: str = Field(max_length=320)
    display_name: str = Field(max_length=200)
    role: Literal["reader", "author", "editor", "admin"] = "author"


class DisableIn(StrictBody):
    """Disable (true) or enable (false) an account."""

    disabled: bool


class SettingsIO(StrictBody):
    """The site settings kept in the database (all fields optional in a change)."""

    site_name: str | None = Field(default=None, max_length=200)
    moderation: ModerationMode | None = None
    self_approval: Literal["auto", "yes", "no"] | None = None


class BuildSummary(BaseModel):
    """One build: when, how it ended, what it changed."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    seconds: float
    pages_changed: int


class HealthOut(BaseModel):
    """The platform as admins see it; `worker` "none" means builds and mail wait."""

    database: Check
    redis: Check
    worker: WorkerCheck
    workers: list[str]
    last_build: BuildSummary | None
    last_publish: BuildSummary | None
    publishes_owed: int
