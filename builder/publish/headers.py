"""HTTP headers of published files: Content-Type with charset, Cache-Control by kind."""

from __future__ import annotations

import gzip
import mimetypes
import re
from pathlib import PurePosixPath

from builder.publish.target import ObjectHeaders

IMMUTABLE = "public, max-age=31536000, immutable"
# Short in browsers, long at the CDN: a publish invalidates exactly what changed.
PAGE = "public, max-age=60, s-maxage=86400"
# The site's own static files keep their names when they change: a little longer in browsers.
STATIC = "public, max-age=300, s-maxage=86400"

_CACHE_BY_KIND = {
    "asset": IMMUTABLE,
    "static": STATIC,
    "html": PAGE,
    "redirect": PAGE,
    "search": PAGE,
    "feed": PAGE,
    "meta": PAGE,
}

# Types the standard table lacks or gets wrong for the web.
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".pf_fragment": "application/octet-stream",  # Pagefind's files are gzip already
    ".pf_index": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pagefind": "application/octet-stream",
}
_FEED_TYPES = {".xml": "application/atom+xml", ".json": "application/feed+json"}
_TEXTUAL = ("text/", "application/json", "application/manifest+json", "application/feed+json")
_XML_SUFFIX = ("+xml", "/xml")

# Pagefind names its index chunks by content hash (`en_65d9356.pf_fragment`); its entry
# file and loader keep their names and need the short TTL.
_HASHED_SEARCH = re.compile(r"_[0-9a-f]{7,}\.pf_(fragment|index|meta)$")

PRECOMPRESS_MIN_SIZE = 1024  # below this, gzip framing costs more than it saves


def content_type(key: str, kind: str) -> str:
    """The Content-Type of a published file, with `charset=utf-8` for text."""
    suffix = PurePosixPath(key).suffix.lower()
    if kind == "feed" and suffix in _FEED_TYPES:
        base = _FEED_TYPES[suffix]
    else:
        base = _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if is_text(base):
        return f"{base}; charset=utf-8"
    return base


def is_text(mime: str) -> bool:
    """Whether a MIME type is text the builder wrote as UTF-8 (and compresses well)."""
    base = mime.split(";", 1)[0].strip()
    return base.startswith(_TEXTUAL) or base.endswith(_XML_SUFFIX) or base == "text/javascript"


def cache_control(kind: str, key: str = "") -> str:
    """The Cache-Control of a file kind (see builder.manifest.FileKind)."""
    if kind == "search" and _HASHED_SEARCH.search(key):
        return IMMUTABLE
    return _CACHE_BY_KIND.get(kind, PAGE)


def is_immutable(key: str, kind: str | None) -> bool:
    """Whether a file's URL always means the same bytes (never worth invalidating)."""
    return kind is not None and cache_control(kind, key) == IMMUTABLE


def headers_for(key: str, kind: str, size: int, *, precompress: bool) -> ObjectHeaders:
    """All headers of one file; gzip only text big enough to gain from it."""
    ctype = content_type(key, kind)
    encoding = "gzip" if precompress and is_text(ctype) and size >= PRECOMPRESS_MIN_SIZE else None
    return ObjectHeaders(
        content_type=ctype, cache_control=cache_control(kind, key), content_encoding=encoding
    )


def encode(body: bytes, headers: ObjectHeaders) -> bytes:
    """The stored bytes: gzip with mtime=0 and no file name, so the same input is identical."""
    if headers.content_encoding == "gzip":
        return gzip.compress(body, compresslevel=9, mtime=0)
    return body
