"""Comment Markdown -> safe HTML, done once at write time.

Two layers, on purpose: markdown-it with raw HTML off (so `<script>` stays text), images
off (no tracking pixels, no mixed content) and plain http(s) URLs linked (linkify-it-py),
then nh3 (Ammonia) with a small tag allow-list and only http/https/mailto links, each
given `rel="nofollow ugc noopener"`.
The second layer holds even if a Markdown extension or a parser bug lets markup through.

Rendering is bounded, because comments are untrusted and markdown-it is pure Python: at
most `LINK_OPENERS_MAX` `[` (link labels are the costliest construct per byte), quotes
and lists at most `NESTING_MAX` levels deep (markdown-it silently drops what is nested
beyond its `maxNesting`, 20), and `RENDER_CPU_S` of CPU, checked inside the parser's
loop (every rule call is counted), after which the comment is refused with 422.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.token import Token

from interactions_api.errors import Unprocessable

LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "em",
        "strong",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# A bare `www.` address is not turned into a link, but a comment that names one still
# "has links" for the `links` moderation mode: spam works as plain text too.
_URL_TEXT = re.compile(r"(?i)\b(?:https?://|www\.)\S")
_HEADING = re.compile(r"<(/?)h[12]>")

RENDER_CPU_S = 0.04  # parsing, in thread CPU time (a 16 KB ordinary comment: ~15 ms quiet,
# past 30 ms on a loaded machine); with rendering and cleaning at most ~60 ms
LINK_OPENERS_MAX = 1_000
NESTING_MAX = 9  # quotes and list items inside each other; 9 stays clear of maxNesting
_CHECK_EVERY = 32  # rule calls between two clock reads (a read costs about 1 us)
TOO_COMPLEX = (
    "The comment's Markdown is too complex to render quickly; use fewer brackets, "
    "emphasis marks, list items or lines."
)


class _OverBudget(Exception):
    pass


class _Budget(threading.local):
    deadline = 0.0  # this thread's CPU clock limit while a comment renders; 0: none
    calls = 0


_BUDGET = _Budget()


def _counted(fn: Callable[..., Any]) -> Callable[..., Any]:
    def rule(*args: Any) -> Any:
        budget = _BUDGET
        if budget.deadline:
            budget.calls += 1
            if budget.calls % _CHECK_EVERY == 0 and time.thread_time() > budget.deadline:
                raise _OverBudget
        return fn(*args)

    return rule


def _count_rules(ruler: Ruler[Any]) -> None:
    for rule in list(ruler.__rules__):
        ruler.at(rule.name, _counted(rule.fn), {"alt": list(rule.alt)})


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["strikethrough", "linkify"])
    md.disable(["image", "html_block", "html_inline"])
    md.linkify = _http_links_only()
    for ruler in (md.core.ruler, md.block.ruler, md.inline.ruler, md.inline.ruler2):
        _count_rules(ruler)
    # Outside any budget: linkify-it compiles its regexes on first use (about 70 ms), which
    # would otherwise make the first comment with a URL in each process too costly.
    md.parse(_WARM_UP)
    return md


_WARM_UP = "*a* **b** `c` [d](https://e.example) https://f.example/g ~~h~~\n\n> i\n\n- j\n"


def _http_links_only() -> LinkifyIt:
    """Plain URLs become links only when written with http:// or https://: no guessing
    at `www.` or bare domains, no mail addresses, no protocol-relative `//host`."""
    schemas: dict[str, None] = {"ftp:": None, "mailto:": None, "//": None}
    options = {"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False}
    return LinkifyIt(schemas, options)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def _depth(tokens: list[Token]) -> int:
    depth = deepest = 0
    for token in tokens:
        if token.type in ("blockquote_open", "list_item_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("blockquote_close", "list_item_close"):
            depth -= 1
    return deepest


def _refuse(message: str) -> Unprocessable:
    return Unprocessable(
        message, code="markdown_too_complex", fields=[{"field": "body", "message": message}]
    )


def render(body: str) -> str:
    """Render a comment's Markdown to sanitised HTML; 422 when it is too costly to render."""
    if body.count("[") > LINK_OPENERS_MAX:
        raise _refuse(f"The comment has more than {LINK_OPENERS_MAX} `[`; use fewer brackets.")
    md = _markdown()
    _BUDGET.deadline, _BUDGET.calls = time.thread_time() + RENDER_CPU_S, 0
    try:
        tokens = md.parse(body)
    except _OverBudget:
        raise _refuse(TOO_COMPLEX) from None
    finally:
        _BUDGET.deadline = 0.0
    if _depth(tokens) > NESTING_MAX:
        raise _refuse(
            f"The comment nests quotes or lists more than {NESTING_MAX} levels deep; flatten it."
        )
    html = md.renderer.render(tokens, md.options, {})
    # Top-level headings would outrank the article's own; demote them to h3.
    html = _HEADING.sub(r"<\1h3>", html)
    return str(_cleaner().clean(html)).strip()


def has_links(body: str, html: str) -> bool:
    """True when a comment links anywhere, as a link or as a bare URL in its text."""
    return "<a " in html or bool(_URL_TEXT.search(body))


def safe_url(url: str | None) -> str | None:
    """An author's website if it is a plain absolute http(s) URL, else None."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or ch in "\"'<>`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def plain_text(value: str, *, limit: int) -> str:
    """Strip control characters from a short text field (names) and cap its length."""
    cleaned = "".join(ch for ch in value if ch == " " or (ch.isprintable() and ch != "\u2028"))
    return " ".join(cleaned.split())[:limit]
