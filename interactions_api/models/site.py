"""Site settings kept in the database (changed from Studio without a restart)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from interactions_api.models.common import utcnow


class SiteSetting(SQLModel, table=True):
    """One setting an admin changed; a setting with no row keeps its QUIRE_ default."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(default="", max_length=500)
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
