"""Accounts, browser sessions and personal API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel

from interactions_api.models.common import utcnow


class Role(enum.IntEnum):
    """Ordered: each role can do everything the ones below it can."""

    reader = 10
    author = 20
    editor = 30
    admin = 40


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, index=True, nullable=False))
    display_name: str = Field(max_length=80)
    password_hash: str = ""
    role: Role = Field(default=Role.reader)
    email_verified: bool = False
    bio: str = Field(default="", max_length=2000)
    website: str = Field(default="", max_length=500)
    expertise: str = Field(default="", max_length=500)  # comma-separated tags
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    banned_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuthSession(SQLModel, table=True):
    """An opaque browser session; only the SHA-256 of the cookie value is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A personal API token for scripts (`Authorization: Bearer`); stored hashed."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
