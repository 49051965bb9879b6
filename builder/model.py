"""Plain, frozen data that flows between the builder's stages.

load -> Source; parse -> Document; collect -> Site; render -> OutputFile; write -> Manifest.
Stages take and return these values and never reach back to disk or to an earlier stage.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from builder.manifest import FileKind

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with the user's input: where it is, what is wrong and how to fix it."""

    severity: Severity
    file: str  # site-relative path (or a setting name such as "quire.toml")
    message: str  # what is wrong, e.g. "`date` is not a date: '2024-13-01'"
    hint: str = ""  # how to fix it, e.g. "Use YYYY-MM-DD, e.g. 2024-01-31."
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{self.severity}: {where}: {self.message}"
        return f"{text} {self.hint}".rstrip() if self.hint else text


@dataclass(frozen=True, slots=True)
class Source:
    """A content file as read from disk."""

    path: str  # site-relative POSIX path, e.g. "content/posts/hello.md"
    text: str
    sha256: str
    # False: not read, because the build cache knows its sha256 from an unchanged stat
    # (text is empty; read it with builder.load.read_source if it must be parsed)
    loaded: bool = True


@dataclass(frozen=True, slots=True)
class Author:
    key: str
    name: str
    bio: str = ""
    avatar: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    url: str = ""  # the author's page, e.g. "/authors/ada/"


@dataclass(frozen=True, slots=True)
class Cover:
    src: str
    alt: str


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Term:
    """A tag, category or series: its display name, slug and URL."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed post or standalone page: front matter validated, Markdown rendered."""

    source: str  # site-relative path of the Markdown file
    kind: Literal["post", "page"]
    id: str  # stable article id (front matter `id`, else the slug): the comment thread key
    slug: str
    url: str  # "/posts/<slug>/" or "/<slug>/"
    title: str
    date: datetime | None
    updated: datetime | None
    tags: tuple[Term, ...]
    category: Term | None
    series: Term | None
    authors: tuple[str, ...]  # keys into Site.authors
    summary_html: str
    # the sanitised HTML, or a function that reads it from the build cache when first used
    # (an incremental build needs the bodies of the few pages it renders, not all of them)
    body: str | Callable[[], str] = field(compare=False, repr=False)
    toc: tuple[Heading, ...]
    word_count: int
    draft: bool = False
    cover: Cover | None = None
    aliases: tuple[str, ...] = ()  # old URL paths that redirect here
    canonical: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown front matter keys
    # front matter key -> 1-based line in the source, so later stages can point at it
    field_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    _card: str = field(default="", compare=False, repr=False)  # see `card`
    # where each highlighted code block is in the body (see markdown.RenderedMarkdown):
    # the next parse of an edited post takes unchanged blocks from there
    fences: tuple[tuple[str, int, int], ...] = field(default=(), compare=False, repr=False)
    # the body's and cover's links that may point into the site, (target, line, is an
    # image): checked against the built files once per build (see builder.links)
    links: tuple[tuple[str, int | None, bool], ...] = field(default=(), compare=False, repr=False)

    @property
    def body_html(self) -> str:
        """The document's sanitised HTML."""
        body = self.body
        if isinstance(body, str):
            return body
        text = body()
        object.__setattr__(self, "body", text)  # read once
        return text

    @property
    def card(self) -> str:
        """A hash of everything other pages may show of this document (title, link, dates,
        summary, tags, reading time...): all but its body. A list, a neighbour's prev/next
        link or a related-posts box depends on this, so a body edit does not touch them."""
        if not self._card:
            shown = [
                self.source, self.kind, self.id, self.slug, self.url, self.title,
                _iso(self.date), _iso(self.updated), [_term(t) for t in self.tags],
                _term(self.category), _term(self.series), list(self.authors),
                self.summary_html, self.reading_minutes, self.draft,
                [self.cover.src, self.cover.alt] if self.cover else None,
                list(self.aliases), self.canonical, dict(self.extra),
            ]  # fmt: skip
            raw = json.dumps(shown, sort_keys=True, default=repr, ensure_ascii=False)
            object.__setattr__(self, "_card", hashlib.sha256(raw.encode()).hexdigest())
        return self._card

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 230))


@dataclass(frozen=True, slots=True)
class Site:
    """Every document collected, sorted and cross-referenced, before any page is rendered."""

    config: Any  # builder.config.SiteConfig
    posts: tuple[Document, ...]  # published posts, oldest first (stable order)
    pages: tuple[Document, ...]  # standalone pages, by slug
    authors: Mapping[str, Author]
    tags: Mapping[str, tuple[Document, ...]]  # tag slug -> posts, oldest first
    categories: Mapping[str, tuple[Document, ...]]
    series: Mapping[str, tuple[Document, ...]]
    static_files: tuple[str, ...] = ()  # site-relative paths under static/


Placed = tuple[str, int, bool]  # a file written: (sha256, size, whether it is new)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file to write: its path under the output root, bytes, kind and its inputs."""

    path: str  # POSIX, relative to the output root, e.g. "posts/hello/index.html"
    data: bytes
    kind: FileKind
    inputs: tuple[str, ...] = ()  # site-relative source paths (and "theme:..."/"config" keys)
    # True: unchanged since the last build (same inputs), not rendered again; `data` is empty
    reused: bool = False
    # already written into the new output tree by the worker that rendered it (see
    # write.Tree); `data` is empty
    placed: Placed | None = None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _term(term: Term | None) -> list[str] | None:
    return [term.name, term.slug, term.url] if term else None
