"""Publishing to S3 (moto server over HTTP): the diff, headers, order, deletes, invalidation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.publish.errors import RefusedError
from builder.publish.publish import publish
from builder.publish.s3 import S3Target

from .conftest import BASE_SITE, S3Calls, bucket_files, invalidations, write_output


def _publish(out: Path, target: S3Target, cloudfront: Any, dist: str, **kw: Any) -> Any:
    return publish(out, target, cloudfront=cloudfront, distribution_id=dist, concurrency=1, **kw)


def test_first_publish_uploads_every_file_but_the_manifest(
    out: Path, target: S3Target, s3: Any, bucket: str, cloudfront: Any, distribution: str
) -> None:
    write_output(out, BASE_SITE)
    report = _publish(out, target, cloudfront, distribution)
    files = bucket_files(s3, bucket)
    assert set(files) == set(BASE_SITE)
    assert files["posts/hello/index.html"] == BASE_SITE["posts/hello/index.html"][0].encode()
    assert report.puts == len(BASE_SITE)
    # Nothing was cached yet, so there is nothing to invalidate.
    assert invalidations(cloudfront, distribution) == []
    assert report.invalidation_paths == []


def test_noop_publish_makes_no_put_no_delete_no_invalidation(
    out: Path, target: S3Target, calls: S3Calls, cloudfront: Any, distribution: str
) -> None:
    write_output(out, BASE_SITE)
    _publish(out, target, cloudfront, distribution)
    calls.puts.clear()
    report = _publish(out, target, cloudfront, distribution)
    assert calls.puts == []  # not a site file, not the index, not even the lock
    assert calls.deletes == []
    assert invalidations(cloudfront, distribution) == []
    assert report.uploads == [] and report.deletes == []
    assert report.unchanged == len(BASE_SITE)


def test_one_changed_post_uploads_and_invalidates_just_that_post(
    out: Path, site: dict, target: S3Target, calls: S3Calls, cloudfront: Any, distribution: str
) -> None:
    write_output(out, site)
    _publish(out, target, cloudfront, distribution)
    calls.puts.clear()
    site["posts/hello/index.html"] = ("<!doctype html><title>Hello</title><p>v2", "html")
    write_output(out, site)
    report = _publish(out, target, cloudfront, distribution)
    assert calls.site_puts() == ["posts/hello/index.html"]
    assert calls.deletes == []
    assert invalidations(cloudfront, distribution) == [["/posts/hello/", "/posts/hello/index.html"]]
    assert report.invalidation_paths == ["/posts/hello/", "/posts/hello/index.html"]
    assert report.invalidation_id


def test_deleted_post_is_removed_and_invalidated(
    out: Path,
    site: dict,
    target: S3Target,
    s3: Any,
    bucket: str,
    calls: S3Calls,
    cloudfront: Any,
    distribution: str,
) -> None:
    site["pagefind/fragment/en_1234567.pf_fragment"] = (b"\x1f\x8b third", "search")
    write_output(out, site)
    _publish(out, target, cloudfront, distribution)
    calls.puts.clear()
    del site["posts/third/index.html"]
    del site["pagefind/fragment/en_1234567.pf_fragment"]
    site["sitemap.xml"] = ("<?xml version='1.0'?><urlset><!--2--></urlset>", "meta")
    write_output(out, site)
    report = _publish(out, target, cloudfront, distribution)
    assert "posts/third/index.html" not in bucket_files(s3, bucket)
    deleted = ["pagefind/fragment/en_1234567.pf_fragment", "posts/third/index.html"]
    assert sorted(calls.deletes) == deleted
    assert calls.site_puts() == ["sitemap.xml"]
    assert report.deletes == deleted
    # The content-hashed search chunk is gone but needs no invalidation: no page links it.
    assert invalidations(cloudfront, distribution) == [
        ["/posts/third/", "/posts/third/index.html", "/sitemap.xml"]
    ]


def test_renamed_asset_goes_up_before_pages_and_old_one_outlives_cached_pages(
    out: Path,
    site: dict,
    target: S3Target,
    s3: Any,
    bucket: str,
    calls: S3Calls,
    cloudfront: Any,
    distribution: str,
) -> None:
    write_output(out, site)
    _publish(out, target, cloudfront, distribution)
    calls.puts.clear()
    del site["assets/main.3f2a9c1e.css"]
    site["assets/main.77aa00ff.css"] = ("body{color:#111}", "asset")
    site["index.html"] = ("<!doctype html><title>Home</title><link href=main.77aa00ff>", "html")
    write_output(out, site)
    report = _publish(out, target, cloudfront, distribution)
    assert calls.site_puts() == ["assets/main.77aa00ff.css", "index.html"]
    # Pages cached at the CDN or in browsers may still point at the old asset: it stays.
    assert "assets/main.3f2a9c1e.css" in bucket_files(s3, bucket)
    assert report.deferred == ["assets/main.3f2a9c1e.css"] and report.deletes == []
    assert invalidations(cloudfront, distribution) == [["/", "/index.html"]]
    # Once the grace period is over, the next publish removes it, with nothing else to do.
    report = _publish(out, target, cloudfront, distribution, asset_grace=0)
    assert report.deletes == ["assets/main.3f2a9c1e.css"] and report.uploads == []
    assert "assets/main.3f2a9c1e.css" not in bucket_files(s3, bucket)


def test_headers_and_hash_metadata(out: Path, target: S3Target, s3: Any, bucket: str) -> None:
    manifest = write_output(out, BASE_SITE)
    publish(out, target)

    def head(key: str) -> dict[str, Any]:
        return dict(s3.head_object(Bucket=bucket, Key=key))

    page = head("posts/hello/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=60, s-maxage=86400"
    assert page["Metadata"]["quire-sha256"] == manifest.files["posts/hello/index.html"].sha256
    asset = head("assets/main.3f2a9c1e.css")
    assert asset["ContentType"] == "text/css; charset=utf-8"
    assert asset["CacheControl"] == "public, max-age=31536000, immutable"
    assert head("assets/quire.8bd0e2aa.js")["ContentType"] == "text/javascript; charset=utf-8"
    assert head("atom.xml")["ContentType"] == "application/atom+xml; charset=utf-8"
    assert head("feed.json")["ContentType"] == "application/feed+json; charset=utf-8"
    assert head("images/logo.png")["ContentType"] == "image/png"
    assert "immutable" not in head("images/logo.png")["CacheControl"]
    assert head("2019/hello/index.html")["CacheControl"] == page["CacheControl"]
    assert head("sitemap.xml")["CacheControl"] == page["CacheControl"]
    assert head("pagefind/pagefind-entry.json")["CacheControl"] == page["CacheControl"]


def test_uploads_go_in_safe_order(out: Path, target: S3Target, calls: S3Calls) -> None:
    write_output(out, BASE_SITE)
    publish(out, target, concurrency=4)
    order = calls.site_puts()
    kinds = [BASE_SITE[key][1] for key in order]
    pages = [i for i, kind in enumerate(kinds) if kind in ("html", "redirect")]
    assert max(i for i, kind in enumerate(kinds) if kind in ("asset", "static")) < min(pages)
    assert min(i for i, kind in enumerate(kinds) if kind == "feed") > min(pages)
    assert kinds[-2:] == ["meta", "meta"]
    # The home page links to the new post: the post goes up first.
    assert order.index("index.html") > order.index("posts/hello/index.html")


def test_file_changed_outside_quire_is_reuploaded(
    out: Path, target: S3Target, s3: Any, bucket: str, calls: S3Calls
) -> None:
    """The index is only a cache keyed by ETag: an object rewritten by someone else is seen."""
    write_output(out, BASE_SITE)
    publish(out, target)
    s3.put_object(Bucket=bucket, Key="robots.txt", Body=b"Disallow: /\n")
    calls.puts.clear()
    report = publish(out, target)
    assert calls.site_puts() == ["robots.txt"] and report.replaced == ["robots.txt"]
    assert bucket_files(s3, bucket)["robots.txt"] == b"User-agent: *\n"


def test_lost_index_costs_heads_not_uploads(
    out: Path, target: S3Target, s3: Any, bucket: str, calls: S3Calls
) -> None:
    write_output(out, BASE_SITE)
    publish(out, target)
    s3.delete_object(Bucket=bucket, Key=".quire/index.json")
    calls.puts.clear()
    publish(out, target)
    assert calls.site_puts() == []
    assert ".quire/index.json" in calls.puts  # rebuilt from object metadata


def test_delete_cap_refuses_before_touching_anything(
    out: Path, site: dict, target: S3Target, s3: Any, bucket: str, calls: S3Calls
) -> None:
    write_output(out, site)
    publish(out, target)
    before = bucket_files(s3, bucket)
    calls.puts.clear()
    for key in ("posts/second/index.html", "posts/third/index.html"):
        del site[key]
    site["index.html"] = ("<!doctype html><title>Home v2</title>", "html")
    write_output(out, site)
    with pytest.raises(RefusedError, match=r"delete 2 files.*MAX_DELETES=1.*--force"):
        publish(out, target, max_deletes=1)
    assert calls.site_puts() == [] and calls.deletes == []
    assert bucket_files(s3, bucket) == before
    report = publish(out, target, max_deletes=1, force=True)
    assert sorted(report.deletes) == ["posts/second/index.html", "posts/third/index.html"]


def test_build_without_index_html_is_refused(out: Path, target: S3Target, calls: S3Calls) -> None:
    write_output(out, {"posts/a/index.html": ("<p>a", "html")})
    with pytest.raises(RefusedError, match=r"no index\.html"):
        publish(out, target)
    write_output(out, {})
    with pytest.raises(RefusedError, match=r"no index\.html"):
        publish(out, target)
    assert calls.site_puts() == []


def test_build_far_smaller_than_last_publish_is_refused(
    out: Path, site: dict, target: S3Target, s3: Any, bucket: str
) -> None:
    write_output(out, site)
    publish(out, target)
    write_output(out, {"index.html": site["index.html"], "404.html": site["404.html"]})
    with pytest.raises(RefusedError, match=r"2 files but the last publish had 15"):
        publish(out, target)
    assert set(bucket_files(s3, bucket)) == set(site)
    publish(out, target, force=True, asset_grace=0)
    assert set(bucket_files(s3, bucket)) == {"index.html", "404.html"}


def test_precompressed_text_is_reproducible(
    out: Path, site: dict, target: S3Target, s3: Any, bucket: str, calls: S3Calls
) -> None:
    import gzip

    big = "<!doctype html><title>Long</title>" + "<p>words and more words</p>" * 200
    site["posts/long/index.html"] = (big, "html")
    write_output(out, site)
    publish(out, target, precompress=True)
    obj = s3.get_object(Bucket=bucket, Key="posts/long/index.html")
    assert obj["ContentEncoding"] == "gzip"
    assert gzip.decompress(obj["Body"].read()).decode() == big
    small = s3.head_object(Bucket=bucket, Key="robots.txt")
    assert "ContentEncoding" not in small  # too small to gain from gzip
    calls.puts.clear()
    publish(out, target, precompress=True)
    assert calls.site_puts() == []
    # Turning precompression off changes the stored headers: those files go up again.
    publish(out, target, precompress=False)
    assert "posts/long/index.html" in calls.site_puts()
