"""Accounts, browser sessions and personal API tokens (tables), and their public shapes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy import true as sa_true
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from interactions_api.models.common import utcnow


class Role(enum.IntEnum):
    """Ordered: each role can do everything the ones below it can."""

    reader = 10
    author = 20
    editor = 30
    admin = 40


class RoleType(TypeDecorator[Role]):
    """Stores a Role as its integer so SQL can compare roles (`role >= 30`)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(Role(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Role | None:
        return None if value is None else Role(value)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased: one account per address whatever the capitalisation.
    email: str = Field(sa_column=Column(String(320), unique=True, index=True, nullable=False))
    display_name: str = Field(max_length=80)
    password_hash: str = ""
    role: Role = Field(default=Role.reader, sa_column=Column(RoleType(), nullable=False))
    email_verified: bool = False
    bio: str = Field(default="", max_length=2000)
    website: str = Field(default="", max_length=500)
    expertise: str = Field(default="", max_length=500)  # comma-separated tags
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    banned_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ban_reason: str = Field(default="", max_length=500)
    # An admin closed the account: no sign-in, no session, no API token (kept, not deleted).
    disabled: bool = False
    # Mail preferences: reply mails at all (each comment also opts in), and, for editors,
    # a mail for each new submission to review.
    mail_replies: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    mail_review: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    avatar: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})

    def expertise_tags(self) -> list[str]:
        """The expertise tags as a list."""
        return [t for t in self.expertise.split(",") if t]


class AuthSession(SQLModel, table=True):
    """An opaque browser session; only the SHA-256 of the cookie value is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A personal API token for scripts (`Authorization: Bearer`); stored hashed."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


# --- response shapes ---------------------------------------------------------------------

RoleName = Literal["reader", "author", "editor", "admin"]


class UserOut(BaseModel):
    """How any user appears to others: never the email."""

    id: int
    display_name: str
    website: str | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """The public face of `user`."""
        assert user.id is not None
        return cls(id=user.id, display_name=user.display_name, website=user.website or None)


class PublicProfileOut(UserOut):
    """A public profile page: adds bio, expertise and when the account was made."""

    bio: str
    expertise: list[str]
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> PublicProfileOut:
        """The public profile of `user`."""
        assert user.id is not None
        return cls(
            id=user.id,
            display_name=user.display_name,
            website=user.website or None,
            bio=user.bio,
            expertise=user.expertise_tags(),
            created_at=user.created_at,
        )


class MeOut(BaseModel):
    """The signed-in caller, including the private fields."""

    id: int
    email: str
    display_name: str
    role: RoleName
    email_verified: bool
    bio: str
    website: str | None
    expertise: list[str]

    @classmethod
    def of(cls, user: User) -> MeOut:
        """The private view of `user` for `user`."""
        assert user.id is not None
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=cast(RoleName, Role(user.role).name),
            email_verified=user.email_verified,
            bio=user.bio,
            website=user.website or None,
            expertise=user.expertise_tags(),
        )
