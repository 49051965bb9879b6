"""An article form as Studio posts it: its fields read into the API's own `PostIn` (one
validation for both faces), the values to show again, and errors per field.

Studio routes turn a form into `PostIn` here and hand it to services/inbox.py; every
refusal (pydantic's or a service's `ApiError` with `fields`) becomes a dict of field name
-> message that `_forms.html` shows beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.inbox import Revision, Submission
from interactions_api.models.inbox_io import PostIn
from interactions_api.services.postfile import image_url
from interactions_api.studio.nav import STUDIO

TEXTS = ("title", "summary", "category", "series", "cover_src", "cover_alt", "canonical", "body")
FIELDS = (*TEXTS, "slug", "tags", "date", "toc")


def text(form: Mapping[str, Any], key: str) -> str:
    """A text field of the form ("" when absent or a file)."""
    value = form.get(key)
    return value if isinstance(value, str) else ""


def number(form: Mapping[str, Any], key: str) -> int:
    """An integer field (the version a page showed); -1 when absent or not a number."""
    value = text(form, key).strip()
    return int(value) if value.isdigit() else -1


def values_of(form: FormData) -> dict[str, str]:
    """The article fields as typed, to show again on a refused form."""
    return {key: text(form, key) for key in (*FIELDS, "version")}


def values_from(rev: Revision, version: int) -> dict[str, str]:
    """A stored revision as form values."""
    return {
        "title": rev.title,
        "summary": rev.summary,
        "tags": ", ".join(rev.tags),
        "cover_src": rev.cover_src,
        "cover_alt": rev.cover_alt,
        "category": rev.category,
        "series": rev.series,
        "canonical": rev.canonical,
        "toc": "on" if rev.toc else "",
        "date": local_input(rev.date),
        "body": rev.body,
        "version": str(version),
    }


def local_input(moment: datetime | None) -> str:
    """A UTC time as `<input type=datetime-local>` shows it (the form says UTC)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def when(raw: str, field: str) -> datetime | None:
    """A `datetime-local` value read as UTC; None when empty; 422 naming `field` otherwise."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        message = f"{raw!r} is not a date and time; use the form YYYY-MM-DDTHH:MM."
        fields = [{"field": field, "message": message}]
        raise Unprocessable(message, code="invalid", fields=fields) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def post_in(form: Mapping[str, Any]) -> PostIn:
    """The article fields as the JSON API reads them (raises ValidationError, ApiError)."""
    tags = [t.strip() for t in text(form, "tags").split(",") if t.strip()]
    values: dict[str, Any] = {key: text(form, key) for key in TEXTS}
    values["title"] = values["title"].strip()
    return PostIn.model_validate(
        {
            **values,
            "tags": tags,
            "date": when(text(form, "date"), "date"),
            "toc": bool(text(form, "toc")),
        }
    )


def errors_of(exc: Exception) -> dict[str, str]:
    """Field name -> message for a refused form (`_form` for what names no field)."""
    if isinstance(exc, ValidationError):
        found: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "_form"
            found.setdefault(name, _sentence(error))
        return found
    if isinstance(exc, ApiError):
        fields: Any = exc.extra.get("fields") or []
        named = {
            str(f.get("field") or "_form"): str(f.get("message") or exc.message)
            for f in fields
            if isinstance(f, dict)
        }
        if exc.code == "slug_taken":
            named["slug"] = exc.message
        return named or {"_form": exc.message}
    return {"_form": str(exc)}


def _sentence(error: Any) -> str:
    message = str(error.get("msg", "is not valid"))
    return message[:1].upper() + message[1:] + "."


def image_urls(sub: Submission | None) -> dict[str, str]:
    """Where a body's uploaded images are until the site has them: previews and reviews
    show them from Studio (`images_from` in the HTML becomes `images_to`)."""
    if sub is None:
        return {"images_from": "", "images_to": ""}
    return {"images_from": image_url(sub.slug, ""), "images_to": f"{STUDIO}/write/{sub.id}/images/"}
