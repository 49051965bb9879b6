"""What the search index knows of one document: its words, weighted, and its plain text.

A record is made from the document alone (never from the rest of the site), so an edit
re-makes the record of the edited post only. Words are runs of letters and digits,
lowercased: themes/default/static/js/search.js splits a query the same way
(`/[\\p{L}\\p{N}]+/gu`, then `toLowerCase`).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections import Counter
from dataclasses import dataclass

from builder.model import Document

TEXT_LIMIT = 30_000  # characters of a page's text kept for excerpts
MIN_WORD, MAX_WORD = 2, 40  # shorter or longer runs are not indexed
TITLE_BOOST = 3  # a word of the title counts as this many more occurrences
_WORD = re.compile(r"[^\W_]{%d,}" % MIN_WORD)  # noqa: UP031  # (braces are the regex's)
_TAG = re.compile(r"<[^>]*>")
# inline elements (highlighted code: a span per token) join their text; others separate
_INLINE = re.compile(r"</?(?:span|em|strong|a|code|b|i|mark|abbr|sub|sup|s|del|ins|kbd)\b[^>]*>")
RECORD_VERSION = "1"  # bumped when records or weights change: every record is re-made


@dataclass(frozen=True, slots=True)
class Record:
    """One document as the index holds it."""

    url: str
    title: str
    date: str  # YYYY-MM-DD or ""
    tags: tuple[tuple[str, str], ...]  # (slug, name)
    authors: tuple[tuple[str, str], ...]  # (key, display name)
    text: str
    weights: dict[str, int]  # word -> weight 1..99 (see `weigh`)


def fingerprint(doc: Document, source_sha: str, names: dict[str, str]) -> str:
    """What a record is made from, hashed: the source's bytes and what the index shows
    beside them (a changed title, tag or author name makes a new record)."""
    parts = [
        RECORD_VERSION, source_sha, doc.url, doc.title,
        doc.date.date().isoformat() if doc.date else "",
        *(f"{t.slug}\1{t.name}" for t in doc.tags),
        *(f"{a}\1{names.get(a, a)}" for a in doc.authors),
    ]  # fmt: skip
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def make_record(doc: Document, names: dict[str, str]) -> Record:
    """The record of `doc` (reads its body: from the build cache when not in memory)."""
    text = plain_text(doc.body_html)
    return Record(
        url=doc.url,
        title=doc.title,
        date=doc.date.date().isoformat() if doc.date else "",
        tags=tuple((t.slug, t.name) for t in doc.tags),
        authors=tuple((a, names.get(a, a)) for a in doc.authors),
        text=text[:TEXT_LIMIT],
        weights=weigh(words(text), words(doc.title)),
    )


def plain_text(body: str) -> str:
    """The text a reader sees in `body` (HTML), one space between words and blocks."""
    text = _TAG.sub(" ", _INLINE.sub("", body))
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The indexable words of `text`, lowercased, in order."""
    return [w for w in _WORD.findall(text.lower()) if len(w) <= MAX_WORD]


def weigh(body: list[str], title: list[str]) -> dict[str, int]:
    """Each word's weight: BM25's saturating term frequency over a coarse length class.

    The length is rounded to a power of two so that a small edit, which leaves the class
    alone, changes the weights of the words it touched only (and so few index shards)."""
    counts = Counter(body)
    for word in title:
        counts[word] += TITLE_BOOST
    length = 2 ** round(math.log2(max(len(body), 16)))
    norm = 1.2 * (0.25 + 0.75 * length / 1024)
    return {
        word: max(1, min(99, round(10 * tf * 2.2 / (tf + norm))))
        for word, tf in sorted(counts.items())
    }
