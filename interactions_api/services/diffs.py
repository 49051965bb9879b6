"""Preview and diff of a revision: the builder's own renderer, difflib for the lines.

Previews run in a sandbox child (`services.sandbox`): untrusted bodies on a CPU budget.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from sqlmodel import Session

from builder.markdown import render_markdown
from interactions_api.errors import ApiError
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import PostFields, Revision, Submission
from interactions_api.services import sandbox
from interactions_api.services.postfile import parse_problems, render_post

DIFF_FIELDS = (
    "title", "tags", "summary", "category", "series", "cover_src", "cover_alt", "date",
    "canonical", "toc",
)  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level element of a rendered body, and how it differs from the other side."""

    html: str
    change: str = ""  # "", "removed" (live side) or "added" (revision side)


@dataclass(frozen=True, slots=True)
class SideBySide:
    """The live article and the revision, rendered, block by block; changed fields."""

    against: int | None
    live: list[Block]
    revision: list[Block]
    fields: dict[str, tuple[str, str]]
    problem: str = ""  # why a body could not be rendered


def side_by_side(db: Session, sub: Submission, rev: Revision) -> SideBySide:
    """The revision beside the published one, rendered by the builder's renderer, with the
    top-level blocks that differ marked on each side."""
    against, fields, _lines = diff(db, sub, rev)
    base = db.get(Revision, sub.published_revision_id) if sub.published_revision_id else None
    try:
        old, new = sandbox.pool().run(_both_html, base.body if base else "", rev.body)
    except ApiError as exc:
        return SideBySide(against, [], [], fields, exc.message)
    before, after = _blocks(old), _blocks(new)
    if base is None:  # all of it is new: nothing to mark
        return SideBySide(against, [], [Block(b) for b in after], fields)
    live: list[Block] = []
    revision: list[Block] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = op != "equal"
        live += [Block(b, "removed" if changed else "") for b in before[i1:i2]]
        revision += [Block(b, "added" if changed else "") for b in after[j1:j2]]
    return SideBySide(against, live, revision, fields)


def _both_html(old: str, new: str) -> tuple[str, str]:
    return (render_markdown(old).html if old else ""), render_markdown(new).html


class _TopLevel(HTMLParser):
    """Splits HTML at its top-level elements (the renderer's own output: well nested)."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth, self.cuts = 0, [0]
        self.line_starts: list[int] = [0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.depth += 1
        elif self.depth == 0:
            self.cuts.append(self._offset() + len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        self.depth = max(0, self.depth - 1)
        if self.depth == 0:
            self.cuts.append(self._offset() + len(f"</{tag}>"))

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column


def _blocks(html: str) -> list[str]:
    parser = _TopLevel()
    parser.line_starts = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"]
    parser.feed(html)
    parser.close()
    cuts = sorted(set([*parser.cuts, len(html)]))
    parts = [html[a:b].strip() for a, b in itertools.pairwise(cuts)]
    return [p for p in parts if p]
