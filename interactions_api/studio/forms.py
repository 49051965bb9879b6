"""Reading a Studio form: text fields by name, and the errors of service calls by field."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from sqlmodel import Session

from interactions_api.errors import ApiError


async def form_fields(request: Request, *names: str, limit: int = 20_000) -> dict[str, str]:
    """The named text fields of the posted form ('' when absent), each cut at `limit`."""
    form = await request.form()
    out: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        out[name] = value[:limit] if isinstance(value, str) else ""
    return out


def try_each(db: Session, steps: dict[str, Callable[[], object]]) -> dict[str, str]:
    """Run each step (field name -> service call); the message of each refusal, by field.
    When any step is refused, every change is rolled back: a form saves whole or not at all."""
    errors: dict[str, str] = {}
    for field, step in steps.items():
        try:
            step()
        except ApiError as exc:
            errors[field] = exc.message
    if errors:
        db.rollback()
    return errors
