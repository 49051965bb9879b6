"""A real build from `builder.pipeline`, published to moto, edited, rebuilt, published again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.pipeline import build_site
from builder.publish.publish import publish
from builder.publish.s3 import S3Target

from .conftest import S3Calls, bucket_files, invalidations

POST = """---
title: "{title}"
date: 2024-0{n}-01T12:00:00Z
tags: ["python"]
---

Paragraph {n} of a post about {title}.
"""


def _site(root: Path) -> Path:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "quire.toml").write_text('title = "Real"\nbase_url = "https://blog.example.com"\n')
    for n, title in enumerate(["Alpha", "Beta", "Gamma"], start=1):
        (root / "content" / "posts" / f"{title.lower()}.md").write_text(
            POST.format(title=title, n=n)
        )
    return root


def _build(site: Path) -> Path:
    result = build_site(site)
    assert result.ok, [str(d) for d in result.errors]
    return result.output_dir


def test_edit_one_post_of_a_real_build(
    tmp_path: Path, s3: Any, bucket: str, calls: S3Calls, cloudfront: Any, distribution: str
) -> None:
    site = _site(tmp_path / "site")
    out = _build(site)
    target = S3Target(s3, bucket)
    first = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    published = bucket_files(s3, bucket)
    assert "index.html" in published and first.puts == len(published)
    calls.puts.clear()
    noop = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    assert calls.site_puts() == [] and noop.deletes == []

    post = site / "content" / "posts" / "beta.md"
    post.write_text(post.read_text() + "\nAn edit.\n")
    out = _build(site)
    report = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    page = next(k for k in report.uploads if k.endswith("/index.html") and "beta" in k)
    url = "/" + page.removesuffix("index.html")
    assert url in report.invalidation_paths and "/" + page in report.invalidation_paths
    # Only what the edit touched goes up: far fewer files than the whole site.
    assert len(report.uploads) < len(bucket_files(s3, bucket)) / 2
    assert invalidations(cloudfront, distribution) == [sorted(report.invalidation_paths)]
