"""What a page tells machines: canonical URL, OpenGraph, Twitter card and JSON-LD."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from builder.model import Author, Document
from builder.render.html_escape import quick_escape


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The <head> metadata of one page, ready for the base template."""

    title: str
    description: str
    canonical: str
    meta: tuple[
        tuple[str, str, str], ...
    ]  # (attribute, name, content), e.g. ("property", "og:title", ...)
    jsonld: Markup | None = None

    @property
    def meta_html(self) -> Markup:
        """The `meta` triples as <meta> elements, one a line: for themes that print them as
        they are (one value in the template instead of three escapes per element)."""
        return Markup(  # noqa: S704  # every value escaped here
            "\n".join(
                f'<meta {quick_escape(attribute)}="{quick_escape(name)}" '
                f'content="{quick_escape(content)}">'
                for attribute, name, content in self.meta
            )
        )


def absolute(base_url: str, path: str) -> str:
    """An absolute URL for a site path; URLs that already have a scheme are kept."""
    if "://" in path:
        return path
    return base_url + (path if path.startswith("/") else f"/{path}")


def iso(value: datetime) -> str:
    """RFC 3339 / ISO 8601 with a 'Z' for UTC, as feeds and JSON-LD want."""
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def plain_text(html: str) -> str:
    """The text of an HTML fragment (tags stripped, entities decoded, spaces collapsed)."""
    # Markup here only parses the (already sanitised) HTML; the result is plain text.
    return Markup(html).striptags()  # noqa: S704


def jsonld_markup(data: dict[str, Any]) -> Markup:
    """JSON for a <script> element that can never close it early or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    escaped = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(escaped)  # noqa: S704  # escaped above: no '<', '>' or '&' left


def list_meta(config: Any, *, title: str, path: str, description: str = "") -> PageMeta:
    """Metadata for a non-article page (home, lists, tags, search)."""
    canonical = absolute(config.base_url, path)
    description = description or config.description
    meta = (
        ("property", "og:type", "website"),
        ("property", "og:site_name", config.title),
        ("property", "og:title", title),
        ("property", "og:url", canonical),
        ("property", "og:description", description),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    )
    return PageMeta(title=title, description=description, canonical=canonical, meta=meta)


def article_meta(config: Any, doc: Document, authors: list[Author]) -> PageMeta:
    """Metadata for a post or standalone page, with a JSON-LD BlogPosting for posts."""
    base = config.base_url
    url = absolute(base, doc.url)
    canonical = doc.canonical if doc.canonical else url
    canonical = absolute(base, canonical)
    description = plain_text(doc.summary_html)[:300] or config.description
    image = absolute(base, doc.cover.src) if doc.cover else ""
    meta: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if doc.kind == "post" else "website"),
        ("property", "og:site_name", config.title),
        ("property", "og:title", doc.title),
        ("property", "og:url", canonical),
        ("property", "og:description", description),
        ("property", "og:locale", config.language.replace("-", "_")),
    ]
    if doc.cover:
        meta += [("property", "og:image", image), ("property", "og:image:alt", doc.cover.alt)]
    if doc.date:
        meta.append(("property", "article:published_time", iso(doc.date)))
    if doc.updated:
        meta.append(("property", "article:modified_time", iso(doc.updated)))
    meta += [("property", "article:tag", tag.name) for tag in doc.tags]
    meta += [
        ("name", "twitter:card", "summary_large_image" if doc.cover else "summary"),
        ("name", "twitter:title", doc.title),
        ("name", "twitter:description", description),
    ]
    if doc.cover:
        meta += [("name", "twitter:image", image), ("name", "twitter:image:alt", doc.cover.alt)]
    jsonld = None
    if doc.kind == "post":
        jsonld = jsonld_markup(blog_posting(config, doc, authors, canonical, description, image))
    return PageMeta(doc.title, description, canonical, tuple(meta), jsonld)


def blog_posting(
    config: Any, doc: Document, authors: list[Author], canonical: str, description: str, image: str
) -> dict[str, Any]:
    """A schema.org BlogPosting for one post."""
    base = config.base_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": doc.title,
        "description": description,
        "url": absolute(base, doc.url),
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "wordCount": doc.word_count,
        "inLanguage": config.language,
        "publisher": {"@type": "Organization", "name": config.title, "url": base + "/"},
        "author": [
            {"@type": "Person", "name": a.name, **({"url": absolute(base, a.url)} if a.url else {})}
            for a in authors
        ],
    }
    if doc.date:
        data["datePublished"] = iso(doc.date)
        data["dateModified"] = iso(doc.updated or doc.date)
    if image:
        data["image"] = image
    if doc.tags:
        data["keywords"] = [tag.name for tag in doc.tags]
    if doc.category:
        data["articleSection"] = doc.category.name
    return data
