"""Stage 2, parse: one Source to one Document (front matter checked, Markdown rendered).

`parse_source` is pure: its result depends only on the source text and the settings in
`ParseSettings`, so it can be cached by (source sha256, settings key) and run in a pool.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any, Literal
from zoneinfo import ZoneInfo

from builder.config import SiteConfig
from builder.frontmatter import FrontMatterError, split_front_matter
from builder.links import noted_links
from builder.markdown import (
    FenceMemo,
    RenderedMarkdown,
    render_inline,
    render_markdown,
    safe_url,
    slugify,
)
from builder.markdown.errors import MarkdownError
from builder.model import Cover, Diagnostic, Document, Heading, Source, Term

KNOWN_KEYS = (
    "title", "date", "updated", "slug", "tags", "category", "series", "authors", "summary",
    "draft", "cover", "aliases", "canonical", "id", "toc",
)  # fmt: skip
TOC_LEVELS = (2, 3, 4)
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True, slots=True)
class ParseSettings:
    """The settings that change how a source parses (and so belong in its cache key)."""

    allow_html: bool
    timezone: str
    default_authors: tuple[str, ...]

    @classmethod
    def from_config(cls, config: SiteConfig) -> ParseSettings:
        """Pick the parse-relevant settings out of the site config."""
        return cls(config.allow_html, config.timezone, tuple(config.default_authors))

    @property
    def key(self) -> str:
        """A stable hash of these settings, for cache keys."""
        raw = json.dumps([self.allow_html, self.timezone, list(self.default_authors)])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


class _Problems:
    """Collects a file's diagnostics, placing each at its key's line."""

    def __init__(self, path: str, key_lines: dict[str, int]) -> None:
        self.path, self.key_lines = path, key_lines
        self.items: list[Diagnostic] = []

    def error(self, key: str, message: str, hint: str = "") -> None:
        self.items.append(
            Diagnostic("error", self.path, message, hint, self.key_lines.get(key), key)
        )

    def warning(
        self, key: str | None, message: str, hint: str = "", line: int | None = None
    ) -> None:
        where = line if line is not None else self.key_lines.get(key or "")
        self.items.append(Diagnostic("warning", self.path, message, hint, where, key))

    def sorted(self) -> list[Diagnostic]:
        """The diagnostics in file order."""
        return sorted(self.items, key=lambda d: d.line or 0)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.items)


@functools.lru_cache(maxsize=512)
def _known_key_like(key: str) -> str | None:
    """The known front matter key `key` is probably a typo of (the same few unknown keys,
    such as Hugo's `author`, come back in every file of a site)."""
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
    return close[0] if close else None


def parse_source(
    source: Source, settings: ParseSettings, fences: FenceMemo | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one Markdown file; returns None (and errors) when it cannot be used.

    `fences`: code blocks highlighted before (see markdown.render_markdown)."""
    kind: Literal["post", "page"] = "post" if source.path.startswith("content/posts/") else "page"
    try:
        fm = split_front_matter(source.text)
    except FrontMatterError as exc:
        return None, [Diagnostic("error", source.path, exc.message, exc.hint, exc.line)]
    p = _Problems(source.path, fm.key_lines)
    data = fm.data
    tz = ZoneInfo(settings.timezone)

    title = data.get("title")
    if not isinstance(title, str | int | float) or not str(title).strip():
        p.error("title", "`title` is missing" if title is None else "`title` must be text",
                f"Add `title: My {kind.title()}` to the front matter.")  # fmt: skip
    when = _date(data, "date", tz, p)
    if kind == "post" and when is None and "date" not in data:
        p.error("date", "`date` is missing", "Add e.g. `date: 2024-01-31` to the front matter.")
    updated = _date(data, "updated", tz, p)

    slug = _text(data, "slug", p) or _slug_from_path(source.path)
    doc_id = _text(data, "id", p) or slug
    if "id" in data and not _ID.match(doc_id):
        p.error("id", f"`id` {doc_id!r} is not a stable identifier",
                "Use letters, digits, `-`, `_` or `.` (at most 128).")  # fmt: skip
    tags = tuple(_term(name, "tags", p) for name in _names(data, "tags", p))
    category = _one_term(data, "category", p)
    series = _one_term(data, "series", p)
    authors = _names(data, "authors", p) if "authors" in data else settings.default_authors
    draft = _flag(data, "draft", p)
    toc_on = _flag(data, "toc", p)
    cover = _cover(data.get("cover"), p) if "cover" in data else None
    # old URLs are site paths: "2019/old.html" and "/2019/old.html" mean the same
    aliases = tuple(a if a.startswith("/") else "/" + a for a in _names(data, "aliases", p))
    canonical = _text(data, "canonical", p) or None
    if canonical and not re.match(r"^https?://\S+$", canonical):
        p.error("canonical", "`canonical` must be an absolute http(s) URL",
                "e.g. `canonical: https://example.com/original-post/`.")  # fmt: skip
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    for key in sorted(extra):
        close = _known_key_like(key)
        if close:
            p.warning(key, f"unknown front matter key `{key}`", f"Did you mean `{close}`?")

    rendered = _render_body(fm.body, fm.body_line, settings, fences, p)
    summary = _text(data, "summary", p)
    summary_html = _render_summary(summary, p) if summary else None
    if p.failed or rendered is None:
        return None, p.sorted()
    toc: tuple[Heading, ...] = ()
    if toc_on:
        toc = tuple(h for h in rendered.headings if h.level in TOC_LEVELS)
    url = f"/posts/{slug}/" if kind == "post" else f"/{slug}/"
    doc = Document(
        source=source.path,
        kind=kind,
        id=doc_id,
        slug=slug,
        url=url,
        title=str(title).strip(),
        date=when,
        updated=updated,
        tags=tags,
        category=category,
        series=series,
        authors=tuple(authors),
        summary_html=rendered.summary_html if summary_html is None else summary_html,
        body=rendered.html,
        toc=toc,
        word_count=rendered.word_count,
        draft=draft,
        cover=cover,
        aliases=tuple(aliases),
        canonical=canonical,
        extra=extra,
        field_lines=fm.key_lines,
        fences=rendered.fences,
        links=noted_links(
            rendered.html,
            fm.body,
            first_line=fm.body_line,
            cover=cover,
            cover_line=fm.key_lines.get("cover"),
        ),
    )
    doc.card  # noqa: B018  # hashed here, in the parallel parse, and cached with it
    return doc, p.sorted()


def _render_body(
    body: str, first_line: int, settings: ParseSettings, fences: FenceMemo | None, p: _Problems
) -> RenderedMarkdown | None:
    """The body rendered, its warnings noted; None (and an error) when a Markdown library
    fails on it. Lines are the file's (`first_line`: the body's first)."""
    try:
        rendered = render_markdown(body, allow_html=settings.allow_html, fences=fences)
    except MarkdownError as exc:
        line = None if exc.line is None else exc.line + first_line - 1
        p.items.append(Diagnostic("error", p.path, exc.message, exc.hint, line))
        return None
    for line, message in rendered.warnings:
        p.warning(None, message, line=None if line is None else line + first_line - 1)
    return rendered


def _render_summary(summary: str, p: _Problems) -> str:
    try:
        return render_inline(summary)
    except MarkdownError as exc:
        p.error("summary", f"`summary`: {exc.message}", exc.hint)
        return ""


def _slug_from_path(path: str) -> str:
    stem = PurePosixPath(path).stem
    return slugify(_DATE_PREFIX.sub("", stem))


def _date(data: dict[str, Any], key: str, tz: ZoneInfo, p: _Problems) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            p.error(key, f"`{key}` is not a date: {str(value)!r}",
                    "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-01-31.")  # fmt: skip
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _text(data: dict[str, Any], key: str, p: _Problems) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        p.error(key, f"`{key}` must be text", f"Write it as `{key}: some text`.")
        return ""
    return str(value).strip()


def _flag(data: dict[str, Any], key: str, p: _Problems) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        p.error(key, f"`{key}` must be true or false, not {value!r}", f"Write `{key}: true`.")
        return False
    return value


def _names(data: dict[str, Any], key: str, p: _Problems) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        p.error(key, f"`{key}` must be a list of names", f"Write `{key}: [first, second]`.")
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


_TERM_PREFIX = {"tags": "tags", "category": "categories", "series": "series"}


def _term(name: str, key: str, p: _Problems) -> Term:
    slug = slugify(name)
    if not slug:
        p.error(key, f"`{key}` value {name!r} has no letters or digits to make a URL from",
                "Use a name with at least one letter or digit.")  # fmt: skip
    return Term(name, slug, f"/{_TERM_PREFIX[key]}/{slug}/")


def _one_term(data: dict[str, Any], key: str, p: _Problems) -> Term | None:
    name = _text(data, key, p)
    return _term(name, key, p) if name else None


def _cover(value: Any, p: _Problems) -> Cover | None:
    if isinstance(value, str):
        value = {"src": value}
    if not isinstance(value, dict) or not isinstance(value.get("src"), str) or not value["src"]:
        p.error("cover", "`cover` needs a `src`",
                "Write `cover: {src: /images/photo.jpg, alt: What the photo shows}`.")  # fmt: skip
        return None
    if not safe_url(value["src"]):
        p.error("cover", f"`cover` src {value['src']!r} is not an image URL",
                "Use a path such as /images/photo.jpg or an https:// URL.")  # fmt: skip
        return None
    alt = value.get("alt")
    if not isinstance(alt, str) or not alt.strip():
        p.error("cover", "`cover` has no `alt` text",
                "Describe the image for people who cannot see it: `alt: A red bike`.")  # fmt: skip
        return None
    return Cover(value["src"], alt.strip())
