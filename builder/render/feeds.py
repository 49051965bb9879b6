"""Atom and JSON feeds, sitemap.xml and robots.txt, all deterministic.

Ids and `updated` values come from the content's dates only (never the build time), so
building the same site twice gives the same bytes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote

from builder.model import Author, Document
from builder.render.seo import absolute, iso, plain_text

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_URI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"  # `updated` of a feed with no entries


def newest_first(posts: Sequence[Document], limit: int) -> list[Document]:
    """The `limit` newest posts, newest first (posts arrive oldest first)."""
    return list(reversed(posts))[:limit]


def last_change(doc: Document) -> datetime:
    """When a document last changed according to its own front matter."""
    return doc.updated or doc.date or EPOCH


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n'.encode()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(
    config: Any,
    posts: Sequence[Document],
    authors: dict[str, Author] | Any,
    *,
    feed_path: str,
    page_path: str,
    title: str,
) -> bytes:
    """An Atom 1.0 feed of the newest posts (`posts` oldest first)."""
    base = config.base_url
    entries = newest_first(posts, config.feed_items)
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": config.language})
    a = f"{{{ATOM_NS}}}"
    _sub(root, a + "id", absolute(base, feed_path))
    _sub(root, a + "title", title)
    if config.description:
        _sub(root, a + "subtitle", config.description)
    updated = max((last_change(d) for d in entries), default=EPOCH)
    _sub(root, a + "updated", iso(updated))
    _sub(root, a + "link", rel="self", type="application/atom+xml", href=absolute(base, feed_path))
    _sub(root, a + "link", rel="alternate", type="text/html", href=absolute(base, page_path))
    _sub(root, a + "generator", "Quire")
    author = _sub(root, a + "author")
    _sub(author, a + "name", config.title)
    for doc in entries:
        entry = _sub(root, a + "entry")
        url = absolute(base, doc.url)
        _sub(entry, a + "id", url)
        _sub(entry, a + "title", doc.title)
        _sub(entry, a + "link", rel="alternate", type="text/html", href=url)
        _sub(entry, a + "published", iso(doc.date or EPOCH))
        _sub(entry, a + "updated", iso(last_change(doc)))
        for key in doc.authors:
            if key in authors:
                person = _sub(entry, a + "author")
                _sub(person, a + "name", authors[key].name)
                if authors[key].url:
                    _sub(person, a + "uri", absolute(base, authors[key].url))
        for tag in doc.tags:
            _sub(entry, a + "category", term=tag.slug, label=tag.name)
        _sub(entry, a + "summary", doc.summary_html, type="html")
        # xml:base makes the article's root-relative links resolve in feed readers.
        content = _sub(entry, a + "content", doc.body_html, type="html")
        content.set("xml:base", url)
    return _xml(root)


def json_feed(config: Any, posts: Sequence[Document], authors: dict[str, Author] | Any) -> bytes:
    """A JSON Feed 1.1 of the newest posts."""
    base = config.base_url
    items: list[dict[str, Any]] = []
    for doc in newest_first(posts, config.feed_items):
        item: dict[str, Any] = {
            "id": absolute(base, doc.url),
            "url": absolute(base, doc.url),
            "title": doc.title,
            "content_html": doc.body_html,
            "summary": plain_text(doc.summary_html),
            "date_published": iso(doc.date or EPOCH),
            "date_modified": iso(last_change(doc)),
        }
        if doc.tags:
            item["tags"] = [tag.name for tag in doc.tags]
        people = [authors[k] for k in doc.authors if k in authors]
        if people:
            item["authors"] = [_json_author(base, p) for p in people]
        if doc.cover:
            item["image"] = absolute(base, doc.cover.src)
        items.append(item)
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": config.title,
        "home_page_url": base + "/",
        "feed_url": absolute(base, "/feed.json"),
        "language": config.language,
        "items": items,
    }
    if config.description:
        feed["description"] = config.description
    return (json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _json_author(base: str, author: Author) -> dict[str, str]:
    data = {"name": author.name}
    if author.url:
        data["url"] = absolute(base, author.url)
    if author.avatar:
        data["avatar"] = absolute(base, author.avatar)
    return data


def sitemap(config: Any, entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """sitemap.xml for (URL path, last modified) pairs, sorted by URL.

    Written as text (the same bytes ElementTree would write, several times faster: a
    site's sitemap lists every page, and any build that adds a page makes it again)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path, modified in sorted(set(entries), key=lambda e: e[0]):
        # Sitemaps want URIs: percent-encode non-ASCII slugs (e.g. /tags/café/).
        loc = escape(quote(absolute(config.base_url, path), safe=_URI_SAFE), quote=False)
        lines += ["  <url>", f"    <loc>{loc}</loc>"]
        if modified is not None:
            lines.append(f"    <lastmod>{iso(modified)}</lastmod>")
        lines.append("  </url>")
    if len(lines) == 2:
        lines[1] = f'<urlset xmlns="{SITEMAP_NS}" />'
    else:
        lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots_txt(config: Any) -> bytes:
    """Allow everything and point crawlers at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}/sitemap.xml\n".encode()
