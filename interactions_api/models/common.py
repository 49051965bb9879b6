"""Shapes shared by every router."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict

DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`; larger ids cannot exist
DbId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="A database id")]


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the services use."""
    return datetime.now(UTC)


class StrictBody(BaseModel):
    """Base of every request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """Every error response: a stable machine-readable code and a human message."""

    code: str
    message: str


class FieldErrorOut(BaseModel):
    """One invalid field of a request: its dotted location and what is wrong."""

    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    """A 422 answer: code `invalid` and the list of invalid fields."""

    fields: list[FieldErrorOut] = []
