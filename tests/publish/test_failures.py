"""A failed upload leaves the live site intact; the lock; re-runs converge."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from builder.publish.errors import LockedError, PublishError
from builder.publish.invalidate import url_paths
from builder.publish.lease import LeaseLock, LeaseStore
from builder.publish.publish import publish
from builder.publish.s3 import S3Target
from builder.publish.target import ObjectHeaders, RemoteObject, RemoteState

from .conftest import S3Calls, bucket_files, invalidations, write_output


class FailingTarget:
    """Wraps a real target; the n-th put raises as a network error would."""

    def __init__(self, inner: S3Target, fail_on: int) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.count = 0
        self.url = inner.url
        self.supports_encoding = inner.supports_encoding

    def put(
        self, key: str, body: bytes, *, headers: ObjectHeaders, sha256: str, kind: str
    ) -> RemoteObject:
        self.count += 1
        if self.count == self.fail_on:
            raise ConnectionError(f"connection reset while uploading {key}")
        return self.inner.put(key, body, headers=headers, sha256=sha256, kind=kind)

    def list_objects(self) -> RemoteState:
        return self.inner.list_objects()

    def delete(self, keys: Sequence[str]) -> None:
        self.inner.delete(keys)

    def save_index(self, objects: Mapping[str, RemoteObject], pending: Sequence[str]) -> None:
        self.inner.save_index(objects, pending)

    def lease_store(self) -> LeaseStore:
        return self.inner.lease_store()


def test_failure_on_third_upload_leaves_site_intact_and_rerun_converges(
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
    publish(out, target)
    v1 = bucket_files(s3, bucket)
    # v2: a new asset, three edited pages, a deleted post, a new feed entry.
    site["assets/main.77aa00ff.css"] = ("body{color:#111}", "asset")
    for key in ("index.html", "posts/hello/index.html", "posts/second/index.html"):
        site[key] = (site[key][0] + "<p>v2", "html")
    del site["posts/third/index.html"]
    site["atom.xml"] = ("<?xml version='1.0'?><feed><entry/></feed>", "feed")
    write_output(out, site)
    calls.puts.clear()

    flaky = FailingTarget(target, fail_on=3)
    with pytest.raises(
        PublishError, match=r"posts/hello/index\.html: upload failed in group 'pages'"
    ) as failed:
        publish(out, flaky, cloudfront=cloudfront, distribution_id=distribution, concurrency=1)
    assert failed.value.report.puts == 2 and failed.value.report.error
    now = bucket_files(s3, bucket)
    # The asset and the first page went up; the failing page and all later groups did not.
    assert calls.site_puts() == ["assets/main.77aa00ff.css", "index.html"]
    assert now["posts/hello/index.html"] == v1["posts/hello/index.html"]
    assert now["atom.xml"] == v1["atom.xml"]
    assert "posts/third/index.html" in now  # nothing deleted
    assert calls.deletes == []
    assert invalidations(cloudfront, distribution) == []  # nothing invalidated
    assert json.loads(s3.get_object(Bucket=bucket, Key=".quire/lock")["Body"].read())["released"]

    report = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    final = bucket_files(s3, bucket)
    assert final == {k: (c.encode() if isinstance(c, str) else c) for k, (c, _) in site.items()}
    # Only what the failed run did not finish goes up again...
    assert sorted(report.uploads) == [
        "atom.xml",
        "posts/hello/index.html",
        "posts/second/index.html",
    ]
    # ...but the page the failed run replaced is still invalidated.
    assert invalidations(cloudfront, distribution) == [
        [
            "/",
            "/atom.xml",
            "/index.html",
            "/posts/hello/",
            "/posts/hello/index.html",
            "/posts/second/",
            "/posts/second/index.html",
            "/posts/third/",
            "/posts/third/index.html",
        ]
    ]
    again = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    assert again.uploads == [] and again.deletes == [] and again.invalidation_paths == []


def test_missing_output_file_is_named_before_anything_is_touched(
    out: Path, site: dict, target: S3Target, calls: S3Calls
) -> None:
    write_output(out, site)
    (out / "posts/second/index.html").unlink()
    with pytest.raises(PublishError, match=r"posts/second/index.html: listed in quire-manifest"):
        publish(out, target)
    assert calls.site_puts() == []


def test_lock_keeps_two_publishes_apart(
    out: Path, site: dict, s3: Any, bucket: str, target: S3Target
) -> None:
    write_output(out, site)
    other = LeaseLock(S3Target(s3, bucket).lease_store(), "the worker", ttl=600)
    other.acquire()
    with pytest.raises(LockedError, match=r"the worker on .* is publishing"):
        publish(out, target)
    assert bucket_files(s3, bucket) == {}
    other.release()
    publish(out, target)
    assert len(bucket_files(s3, bucket)) == len(site)


def test_stale_lock_is_broken_and_foreign_lock_survives_release(
    out: Path, site: dict, s3: Any, bucket: str, target: S3Target
) -> None:
    write_output(out, site)
    old = json.dumps({"owner": "crashed", "at": time.time() - 3600}).encode()
    s3.put_object(Bucket=bucket, Key=".quire/lock", Body=old)
    publish(out, target, lock_stale_after=600)  # an hour-old lock of an older Quire
    assert len(bucket_files(s3, bucket)) == len(site)
    # Release gives back only our own lease (If-Match on its ETag), never another's.
    mine = LeaseLock(target.lease_store(), "me", ttl=600)
    mine.acquire()
    s3.delete_object(Bucket=bucket, Key=".quire/lock")
    theirs = LeaseLock(target.lease_store(), "them", ttl=600)
    theirs.acquire()
    mine.release()
    body = json.loads(s3.get_object(Bucket=bucket, Key=".quire/lock")["Body"].read())
    assert body["owner"] == "them" and not body["released"]


def test_invalidation_backs_off_while_too_many_are_in_progress(
    out: Path, site: dict, target: S3Target, cloudfront: Any, distribution: str
) -> None:
    # moto never reports this AWS limit, so the first CreateInvalidation is answered with
    # CloudFront's real error through a botocore hook; the retry goes to moto.
    refused: list[int] = []

    def too_many(**_: Any) -> Any:
        if refused:
            return None
        refused.append(1)
        error = {"Code": "TooManyInvalidationsInProgress", "Message": "try later"}
        return AWSResponse("http://x", 400, {}, None), {"Error": error}

    cloudfront.meta.events.register("before-call.cloudfront.CreateInvalidation", too_many)
    write_output(out, site)
    publish(out, target)
    site["posts/hello/index.html"] = ("<p>v2", "html")
    write_output(out, site)
    slept: list[float] = []
    report = publish(
        out, target, cloudfront=cloudfront, distribution_id=distribution, sleep=slept.append
    )
    assert slept == [2.0]
    assert report.invalidation_paths == ["/posts/hello/", "/posts/hello/index.html"]
    assert invalidations(cloudfront, distribution) == [report.invalidation_paths]


def test_failed_invalidation_is_retried_by_the_next_publish(
    out: Path, site: dict, target: S3Target, cloudfront: Any, distribution: str
) -> None:
    def always(**_: Any) -> Any:
        error = {"Code": "TooManyInvalidationsInProgress", "Message": "try later"}
        return AWSResponse("http://x", 400, {}, None), {"Error": error}

    write_output(out, site)
    publish(out, target)
    site["posts/hello/index.html"] = ("<p>v2", "html")
    write_output(out, site)
    cloudfront.meta.events.register("before-call.cloudfront.CreateInvalidation", always)
    with pytest.raises(PublishError, match=r"too many invalidations in progress"):
        publish(
            out, target, cloudfront=cloudfront, distribution_id=distribution, sleep=lambda _s: None
        )
    cloudfront.meta.events.unregister("before-call.cloudfront.CreateInvalidation", always)
    report = publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    assert report.uploads == []  # the files were published by the first run
    assert report.invalidation_paths == ["/posts/hello/", "/posts/hello/index.html"]


def test_missing_bucket_and_unreachable_endpoint_are_clear_errors(
    out: Path, site: dict, s3: Any
) -> None:
    import boto3
    from botocore.config import Config

    write_output(out, site)
    with pytest.raises(PublishError, match=r"bucket 'no-such-bucket' does not exist"):
        publish(out, S3Target(s3, "no-such-bucket"))
    dead = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(PublishError, match=r"s3://blog: Could not connect"):
        publish(out, S3Target(dead, "blog"))


def test_lock_holds_on_a_store_that_ignores_if_none_match(s3: Any, bucket: str) -> None:
    # Some S3-compatible stores ignore conditional writes: drop the header from the request.
    def strip(params: dict[str, Any], **_: Any) -> None:
        params.pop("IfNoneMatch", None)
        params.pop("IfMatch", None)

    s3.meta.events.register("provide-client-params.s3.PutObject", strip)
    store = S3Target(s3, bucket).lease_store()
    first, second = LeaseLock(store, "first", ttl=600), LeaseLock(store, "second", ttl=600)
    first.acquire()
    with pytest.raises(LockedError, match=r"first on"):
        second.acquire()
    first.release()
    assert second.acquire().token == 2


def test_wildcards_in_progress_leave_exact_paths_only(cloudfront: Any, distribution: str) -> None:
    # moto completes invalidations at once; CloudFront's answers for 15 wildcard paths
    # still in progress are injected on the real client (AWS itself cannot run here).
    from builder.publish.invalidate import invalidate

    def listing(**_: Any) -> Any:
        items = [{"Id": "BUSY", "CreateTime": "2026-01-01T00:00:00Z", "Status": "InProgress"}]
        body = {"InvalidationList": {"Items": items, "Quantity": 1, "IsTruncated": False}}
        return AWSResponse("http://x", 200, {}, None), body

    def busy(**_: Any) -> Any:
        paths = {"Quantity": 15, "Items": [f"/s{i}/*" for i in range(15)]}
        batch = {"Paths": paths, "CallerReference": "other"}
        body = {"Invalidation": {"Id": "BUSY", "Status": "InProgress", "InvalidationBatch": batch}}
        return AWSResponse("http://x", 200, {}, None), body

    cloudfront.meta.events.register("before-call.cloudfront.ListInvalidations", listing)
    cloudfront.meta.events.register("before-call.cloudfront.GetInvalidation", busy)
    changed = [f"/docs/p{i}/" for i in range(40)]
    done = invalidate(
        cloudfront, distribution, changed, changed, max_paths=300, caller_reference="t1"
    )
    assert list(done.paths) == sorted(changed)  # /docs/* would exceed the 15 wildcards
    cloudfront.meta.events.unregister("before-call.cloudfront.ListInvalidations", listing)
    cloudfront.meta.events.unregister("before-call.cloudfront.GetInvalidation", busy)
    assert invalidations(cloudfront, distribution) == [sorted(changed)]
    # Without the wildcards in progress, the same change folds into one wildcard.
    again = invalidate(
        cloudfront, distribution, changed, changed, max_paths=300, caller_reference="t2"
    )
    assert list(again.paths) == ["/*"]


def test_parallel_failure_still_converges(
    out: Path,
    site: dict,
    target: S3Target,
    s3: Any,
    bucket: str,
    calls: S3Calls,
    cloudfront: Any,
    distribution: str,
) -> None:
    pages = [k for k, (_, kind) in site.items() if kind == "html"]
    for i in range(60):  # unchanged pages, so that invalidation stays exact (no wildcard)
        site[f"archive/p{i}/index.html"] = (f"<p>old {i}", "html")
    write_output(out, site)
    publish(out, target)
    v1 = bucket_files(s3, bucket)
    for key in pages:
        site[key] = (site[key][0] + "<p>v2", "html")
    site["atom.xml"] = ("<?xml version='1.0'?><feed><entry/></feed>", "feed")
    write_output(out, site)
    calls.puts.clear()
    with pytest.raises(PublishError, match="upload failed in group 'pages'"):
        publish(out, FailingTarget(target, fail_on=3), cloudfront=cloudfront,
                distribution_id=distribution, concurrency=4)  # fmt: skip
    assert bucket_files(s3, bucket)["atom.xml"] == v1["atom.xml"]  # later groups never ran
    assert invalidations(cloudfront, distribution) == []
    publish(out, target, cloudfront=cloudfront, distribution_id=distribution)
    expected = {k: (c.encode() if isinstance(c, str) else c) for k, (c, _) in site.items()}
    assert bucket_files(s3, bucket) == expected
    # Every replaced page is invalidated, whichever run uploaded it.
    (paths,) = invalidations(cloudfront, distribution)
    assert sorted(paths) == sorted(url_paths([*pages, "atom.xml"]))
