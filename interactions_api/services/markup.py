"""Comment Markdown -> safe HTML, done once at write time.

Two layers, on purpose: markdown-it with raw HTML off (so `<script>` stays text), images
off (no tracking pixels, no mixed content) and plain http(s) URLs linked (linkify-it-py),
then nh3 (Ammonia) with a small tag allow-list and only http/https/mailto links, each
given `rel="nofollow ugc noopener"`.
The second layer holds even if a Markdown extension or a parser bug lets markup through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

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


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["strikethrough", "linkify"])
    md.disable(["image", "html_block", "html_inline"])
    md.linkify = _http_links_only()
    return md


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


def render(body: str) -> str:
    """Render a comment's Markdown to sanitised HTML."""
    html = _markdown().render(body)
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
