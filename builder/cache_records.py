"""How the build cache stores one parse result: a marshalled record plus the body HTML.

Records are marshalled (the format of Python's own .pyc files): an incremental build
decodes every post's record, and marshal reads them several times faster than JSON. Only
the free-form front matter (`extra`, which may hold dates) is JSON, with tags. Never
pickle: the cache lives in the site folder and must not be able to run code when read.
"""

from __future__ import annotations

import base64
import json
import marshal
from collections.abc import Callable
from datetime import date, datetime
from itertools import starmap
from typing import Any
from zoneinfo import ZoneInfo

from builder.model import Cover, Diagnostic, Document, Heading, Term

ParseResult = tuple[Document | None, list[Diagnostic]]


def encode_record(result: ParseResult) -> tuple[bytes, str] | None:
    """(record, body) to store for `result`; None when it cannot be stored as it is."""
    doc, diagnostics = result
    diags = [(d.severity, d.file, d.message, d.hint, d.line, d.field) for d in diagnostics]
    if doc is None:
        return marshal.dumps((None, diags)), ""
    try:
        text = json.dumps(dict(doc.extra), default=_tagged, sort_keys=False)
        if text != "{}" and json.loads(text, object_hook=_untagged) != doc.extra:
            return None  # e.g. a number as a key: JSON would change it
    except (TypeError, ValueError):
        return None  # a front matter value JSON cannot hold: just do not cache this file
    # plain values (text, numbers, lists) as they are; dates and bytes in tagged JSON
    extra: dict[str, Any] | str = text if "$quire" in text else dict(doc.extra)
    record = (
        doc.source, doc.kind, doc.id, doc.slug, doc.url, doc.title,
        _dt(doc.date), _dt(doc.updated),
        tuple((t.name, t.slug, t.url) for t in doc.tags),
        _term(doc.category), _term(doc.series), tuple(doc.authors),
        doc.summary_html,
        tuple((h.level, h.text, h.anchor) for h in doc.toc),
        doc.word_count, doc.draft,
        (doc.cover.src, doc.cover.alt) if doc.cover else None,
        tuple(doc.aliases), doc.canonical, extra, dict(doc.field_lines), doc.card,
        doc.links,
        doc.fences,  # last: `BuildCache.fence_memo` reads it as record[-1]
    )  # fmt: skip
    # tuples: marshal gives them back as tuples, which the Document holds as they are
    try:
        return marshal.dumps((record, diags)), doc.body_html
    except ValueError:  # something marshal cannot hold (cannot happen for parsed text)
        return None


def decode_record(meta: bytes, body: str | Callable[[], str]) -> ParseResult:
    """The parse result of a stored record; `body` may be a function that reads it later."""
    # marshal builds only plain values (no code runs, unlike pickle), from a file
    # this builder wrote into the site's own folder
    raw, diags = marshal.loads(meta)  # noqa: S302
    diagnostics = list(starmap(Diagnostic, diags))
    if raw is None:
        return None, diagnostics
    (source, kind, doc_id, slug, url, title, when, updated, tags, category, series, authors,
     summary, toc, words, draft, cover, aliases, canonical, extra, lines, card,
     links, fences) = raw  # fmt: skip
    if isinstance(extra, str):
        extra = json.loads(extra, object_hook=_untagged)
    doc = Document(
        source=source,
        kind=kind,
        id=doc_id,
        slug=slug,
        url=url,
        title=title,
        date=_undt(when),
        updated=_undt(updated),
        tags=tuple(map(_TERMS.__getitem__, tags)),
        category=_TERMS[category] if category else None,
        series=_TERMS[series] if series else None,
        authors=authors,
        summary_html=summary,
        body=body,
        toc=tuple(starmap(Heading, toc)),
        word_count=words,
        draft=draft,
        cover=Cover(*cover) if cover else None,
        aliases=aliases,
        canonical=canonical,
        extra=extra,
        field_lines=lines,
        _card=card,
        fences=fences,
        links=links,
    )
    return doc, diagnostics


class _Terms(dict[tuple[str, str, str], Term]):
    """(name, slug, URL) -> Term: thousands of posts share a few hundred tags, so each is
    made once (decoding every record is most of what an incremental build waits for)."""

    def __missing__(self, key: tuple[str, str, str]) -> Term:
        term = self[key] = Term(*key)
        return term


_TERMS = _Terms()


def _term(term: Term | None) -> tuple[str, str, str] | None:
    return (term.name, term.slug, term.url) if term else None


def _dt(value: datetime | None) -> list[str] | None:
    """A datetime with its zone: a named zone is kept by name (DST rules), else the offset."""
    if value is None:
        return None
    if isinstance(value.tzinfo, ZoneInfo):
        return [value.replace(tzinfo=None).isoformat(), value.tzinfo.key]
    return [value.isoformat(), ""]


def _undt(value: list[str] | None) -> datetime | None:
    if value is None:
        return None
    text, zone = value
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=ZoneInfo(zone)) if zone else parsed


def _tagged(value: Any) -> Any:
    """YAML values JSON lacks (dates, binary), tagged so they come back as the same type."""
    if isinstance(value, datetime):
        return {"$quire": "datetime", "v": _dt(value)}
    if isinstance(value, date):
        return {"$quire": "date", "v": value.isoformat()}
    if isinstance(value, bytes):
        return {"$quire": "bytes", "v": base64.b64encode(value).decode()}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _untagged(obj: dict[str, Any]) -> Any:
    tag = obj.get("$quire")
    if tag == "datetime":
        return _undt(obj["v"])
    if tag == "date":
        return date.fromisoformat(obj["v"])
    if tag == "bytes":
        return base64.b64decode(obj["v"])
    return obj
