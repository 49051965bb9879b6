"""S3 failing mid-publish never leaves a page that links to a page or file not yet there.

The S3 client talks to moto through a fault-injecting proxy: the upload of the new
post's page answers 500, as a real outage would. Afterwards every page, feed and
sitemap in the bucket must link only to files that are in the bucket, and the next
publish (S3 healthy again) must finish the job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from builder.publish.errors import PublishError
from builder.publish.publish import publish
from builder.publish.s3 import S3Target

from .conftest import S3Calls, bucket_files, write_output
from .faultproxy import FaultProxy
from .test_real_build import POST
from .test_real_build import _build as _real_build
from .test_real_build import _site as _real_site

BASE = "https://blog.example.com"
_LINK = re.compile(r"""(?:href|src)=["']?([^"' >]+)|<loc>([^<]+)</loc>|"url":\s*"([^"]+)\"""")


def _links(key: str, body: bytes) -> set[str]:
    """The site files a page, feed or sitemap points at (its own link test, not Quire's)."""
    found = set()
    for groups in _LINK.findall(body.decode("utf-8", "replace")):
        url = next(g for g in groups if g)
        if url.startswith(BASE):
            url = url[len(BASE) :]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, or relative (the test pages use root-relative links)
        path = unquote(parts.path).lstrip("/")
        found.add(path + "index.html" if path == "" or path.endswith("/") else path)
    found.discard(key)
    return found


def dangling(files: dict[str, bytes]) -> dict[str, set[str]]:
    """Each file in the bucket that links to files missing from the bucket."""
    out = {}
    for key, body in files.items():
        if key.endswith((".html", ".xml", ".json")):
            missing = _links(key, body) - set(files)
            if missing:
                out[key] = missing
    return out


def reachable_dangling(files: dict[str, bytes], entries: set[str]) -> dict[str, set[str]]:
    """`dangling`, for the files a reader can reach by links from `entries` (the files
    published before): new files that link each other (a new post and its new tag page)
    must go up one before the other, but stay out of reach until a list links them."""
    seen, todo = set(), [k for k in entries if k in files]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(k for k in _links(key, files[key]) if k in files)
    return {k: v for k, v in dangling(files).items() if k in seen}


def _site_v1() -> dict[str, tuple[str | bytes, str]]:
    home = '<link rel=stylesheet href="/assets/main.3f2a9c1e.css"><a href="/posts/hello/">'
    return {
        "assets/main.3f2a9c1e.css": ("body{color:#222}", "asset"),
        "index.html": (home, "html"),
        "posts/hello/index.html": ('<a href="/">home</a><p>hello', "html"),
        "tags/python/index.html": ('<a href="/posts/hello/">hello</a>', "html"),
        "atom.xml": (f'<feed><link href="{BASE}/posts/hello/"/></feed>', "feed"),
        "feed.json": (f'{{"items": [{{"url": "{BASE}/posts/hello/"}}]}}', "feed"),
        "sitemap.xml": (f"<urlset><loc>{BASE}/</loc><loc>{BASE}/posts/hello/</loc>", "meta"),
    }


def _site_v2() -> dict[str, tuple[str | bytes, str]]:
    """A new post with a new image and stylesheet; the lists and feeds link to it."""
    site = _site_v1()
    css = "/assets/main.77aa00ff.css"
    del site["assets/main.3f2a9c1e.css"]
    site["assets/main.77aa00ff.css"] = ("body{color:#111}", "asset")
    site["images/fresh.png"] = (b"\x89PNG fresh", "static")
    site["posts/fresh/index.html"] = (
        f'<link rel=stylesheet href="{css}"><img src="/images/fresh.png"><a href="/">home</a>',
        "html",
    )
    # A list that links to another new list page that links to the new post.
    site["index.html"] = (
        f'<link rel=stylesheet href="{css}"><a href="/posts/fresh/">new</a>'
        '<a href="/posts/hello/">hello</a><a href="/page/2/">older</a>',
        "html",
    )
    site["page/2/index.html"] = ('<a href="/posts/fresh/">new</a>', "html")
    site["tags/python/index.html"] = ('<a href="/posts/fresh/">new</a>', "html")
    site["atom.xml"] = (f'<feed><link href="{BASE}/posts/fresh/"/></feed>', "feed")
    site["feed.json"] = (f'{{"items": [{{"url": "{BASE}/posts/fresh/"}}]}}', "feed")
    site["sitemap.xml"] = (
        f"<urlset><loc>{BASE}/</loc><loc>{BASE}/posts/fresh/</loc><loc>{BASE}/page/2/</loc>",
        "meta",
    )
    return site


def _bytes(site: dict[str, tuple[str | bytes, str]]) -> dict[str, bytes]:
    return {k: (c.encode() if isinstance(c, str) else c) for k, (c, _) in site.items()}


@pytest.mark.parametrize(
    ("concurrency", "failing"),
    [
        (1, r"^posts/fresh/index\.html$"),  # one upload at a time
        (8, r"^posts/fresh/index\.html$"),  # parallel: everything else of a group lands
        (8, r"^page/2/index\.html$"),  # a list page the home page links to
    ],
)
def test_failed_upload_leaves_no_page_linking_to_a_missing_file(
    out: Path,
    s3: Any,
    flaky_s3: Any,
    bucket: str,
    proxy: FaultProxy,
    concurrency: int,
    failing: str,
) -> None:
    write_output(out, _site_v1())
    publish(out, S3Target(s3, bucket))
    write_output(out, _site_v2())
    # The failing upload is answered late, so that its parallel neighbours all land.
    proxy.fail("PUT", failing, stall=0.3 if concurrency > 1 else 0.0)

    with pytest.raises(PublishError, match=r"upload failed in group"):
        publish(out, S3Target(flaky_s3, bucket), concurrency=concurrency)

    assert proxy.hits, "the fault was never injected"
    now = bucket_files(s3, bucket)
    assert dangling(now) == {}
    assert now["sitemap.xml"] == _bytes(_site_v1())["sitemap.xml"]  # the sitemap goes last
    proxy.heal()  # S3 is back: the next publish finishes the job
    publish(out, S3Target(flaky_s3, bucket), concurrency=concurrency)
    final = bucket_files(s3, bucket)
    assert {k: final.get(k) for k in _site_v2()} == _bytes(_site_v2())
    assert dangling(final) == {}


def test_uploads_go_leaves_first_lists_and_feeds_after_sitemap_last(
    out: Path, s3: Any, bucket: str, calls: S3Calls
) -> None:
    write_output(out, _site_v1())
    publish(out, S3Target(s3, bucket))
    write_output(out, _site_v2())
    calls.puts.clear()
    publish(out, S3Target(s3, bucket), concurrency=1)
    order = calls.site_puts()
    at = {key: order.index(key) for key in order}
    assets = max(at["images/fresh.png"], at["assets/main.77aa00ff.css"])
    assert at["posts/fresh/index.html"] > assets
    assert at["page/2/index.html"] > at["posts/fresh/index.html"]
    assert at["index.html"] > at["page/2/index.html"]
    assert (
        min(at["atom.xml"], at["feed.json"], at["tags/python/index.html"])
        > at["posts/fresh/index.html"]
    )
    assert order[-1] == "sitemap.xml"


def test_a_real_build_with_a_new_tagged_post_never_links_a_missing_page(
    tmp_path: Path, s3: Any, flaky_s3: Any, bucket: str, proxy: FaultProxy
) -> None:
    site = _real_site(tmp_path / "site")
    publish(_real_build(site), S3Target(s3, bucket))
    # A new post with a new tag: its page and the new tag page link each other.
    (site / "content" / "posts" / "delta.md").write_text(
        POST.format(title="Delta", n=4).replace('["python"]', '["python", "rust"]')
    )
    out = _real_build(site)
    before = set(bucket_files(s3, bucket))
    new_pages = sorted(k for k in _built(out) - before if k.endswith(".html"))
    assert "posts/delta/index.html" in new_pages and "tags/rust/index.html" in new_pages

    for page in new_pages:  # whichever new page fails, no page links to a missing one
        proxy.heal()
        proxy.fail("PUT", f"^{re.escape(page)}$", stall=0.2)
        with pytest.raises(PublishError, match=r"upload failed in group"):
            publish(out, S3Target(flaky_s3, bucket))
        assert reachable_dangling(bucket_files(s3, bucket), before) == {}, page
    proxy.heal()
    publish(out, S3Target(flaky_s3, bucket))
    assert dangling(bucket_files(s3, bucket)) == {}


def _built(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != "quire-manifest.json"
    }
