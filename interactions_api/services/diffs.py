"""Preview and diff of a revision: the builder's own renderer, difflib for the lines.

Previews run in a sandbox child (`services.sandbox`): untrusted bodies on a CPU budget.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from sqlmodel import Session

from builder.markdown import render_markdown
from interactions_api.errors import ApiError
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import PostFields, Revision, Submission
from interactions_api.services import sandbox
from interactions_api.services.postfile import parse_problems, render_post

DIFF_FIELDS = ("title", "tags", "summary", "cover_src", "cover_alt", "date")


def preview(fields: PostFields, *, slug: str = "preview") -> tuple[str, list[str]]:
    """The body as the site will show it, and what would stop it from building."""
    return sandbox.pool().run(_preview, fields, slug, fields.date or utcnow())


def _preview(fields: PostFields, slug: str, date: datetime) -> tuple[str, list[str]]:
    html = render_markdown(fields.body).html
    text = render_post(fields, slug=slug, date=date)
    return html, [f"{d.message} {d.hint}".strip() for d in parse_problems(text, slug)]


def shown_body(body: str) -> tuple[str, str]:
    """A stored body's HTML, or "" and why it cannot be shown."""
    try:
        return sandbox.pool().run(_body_html, body), ""
    except ApiError as exc:
        return "", exc.message


def _body_html(body: str) -> str:
    return render_markdown(body).html


def _field_text(rev: Revision | None, name: str) -> str:
    if rev is None:
        return ""
    value = getattr(rev, name)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def diff(
    db: Session, sub: Submission, rev: Revision
) -> tuple[int | None, dict[str, tuple[str, str]], list[str]]:
    """Field-by-field and line-by-line changes of `rev` against the published revision."""
    base = db.get(Revision, sub.published_revision_id) if sub.published_revision_id else None
    fields = {
        name: (_field_text(base, name), _field_text(rev, name))
        for name in DIFF_FIELDS
        if _field_text(base, name) != _field_text(rev, name)
    }
    before = base.body.splitlines() if base else []
    lines = list(
        difflib.unified_diff(
            before,
            rev.body.splitlines(),
            fromfile=f"published (revision {base.number})" if base else "nothing published",
            tofile=f"revision {rev.number}",
            lineterm="",
        )
    )
    return (base.number if base else None), fields, lines
