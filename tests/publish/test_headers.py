"""Content-Type and Cache-Control of published files; reproducible compression."""

from __future__ import annotations

import gzip

import pytest

from builder.publish.headers import cache_control, content_type, encode, headers_for


@pytest.mark.parametrize(
    ("key", "kind", "expected"),
    [
        ("posts/a/index.html", "html", "text/html; charset=utf-8"),
        ("assets/main.1234abcd.css", "asset", "text/css; charset=utf-8"),
        ("assets/quire.1234abcd.js", "asset", "text/javascript; charset=utf-8"),
        ("atom.xml", "feed", "application/atom+xml; charset=utf-8"),
        ("feed.json", "feed", "application/feed+json; charset=utf-8"),
        ("sitemap.xml", "meta", "application/xml; charset=utf-8"),
        ("robots.txt", "meta", "text/plain; charset=utf-8"),
        ("images/logo.svg", "static", "image/svg+xml; charset=utf-8"),
        ("images/photo.JPG", "static", "image/jpeg"),
        ("fonts/inter.woff2", "asset", "font/woff2"),
        ("pagefind/fragment/en_1a2b.pf_fragment", "search", "application/octet-stream"),
        ("pagefind/pagefind-entry.json", "search", "application/json; charset=utf-8"),
        ("downloads/thing.unknownext", "static", "application/octet-stream"),
    ],
)
def test_content_type(key: str, kind: str, expected: str) -> None:
    assert content_type(key, kind) == expected


def test_cache_control_by_kind() -> None:
    assert cache_control("asset") == "public, max-age=31536000, immutable"
    for kind in ("html", "redirect", "search", "feed", "meta"):
        assert cache_control(kind) == "public, max-age=60, s-maxage=86400"
    assert "immutable" not in cache_control("static")
    # Pagefind's content-hashed chunks are immutable; its entry file is not.
    assert cache_control("search", "pagefind/fragment/en_65d9356.pf_fragment").endswith("immutable")
    assert cache_control("search", "pagefind/pagefind.en_2d45d94a9c.pf_meta").endswith("immutable")
    assert "immutable" not in cache_control("search", "pagefind/pagefind-entry.json")
    assert "immutable" not in cache_control("search", "pagefind/wasm.en.pagefind")


def test_gzip_is_reproducible_and_only_for_large_text() -> None:
    body = b"<p>hello</p>" * 500
    headers = headers_for("a/index.html", "html", len(body), precompress=True)
    assert headers.content_encoding == "gzip"
    first, second = encode(body, headers), encode(body, headers)
    assert first == second and gzip.decompress(first) == body
    assert headers_for("a/index.html", "html", 100, precompress=True).content_encoding is None
    assert headers_for("x.png", "static", 10**6, precompress=True).content_encoding is None
    plain = headers_for("a/index.html", "html", len(body), precompress=False)
    assert plain.content_encoding is None and encode(body, plain) == body
    assert plain.variant != headers.variant
