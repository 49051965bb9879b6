"""The plan alone: a pure diff of a manifest against a listing."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from builder.manifest import FileEntry, Manifest
from builder.publish.errors import LockedError, PublishError
from builder.publish.headers import headers_for
from builder.publish.lease import LeaseLock
from builder.publish.plan import make_plan
from builder.publish.s3 import S3Target
from builder.publish.target import RemoteObject


def _manifest(files: dict[str, str]) -> Manifest:
    return Manifest(files={k: FileEntry(sha256=v, size=10, kind="html") for k, v in files.items()})


def _remote(key: str, sha: str | None, kind: str = "html", **kw: Any) -> RemoteObject:
    variant = headers_for(key, kind, 10, precompress=False).variant if sha else None
    return RemoteObject(key=key, size=10, sha256=sha, variant=variant, kind=kind, **kw)


def test_diff_by_hash_and_headers() -> None:
    manifest = _manifest({"index.html": "aa", "a.html": "bb", "b.html": "cc"})
    remote = {
        "index.html": _remote("index.html", "aa"),
        "a.html": _remote("a.html", "old"),
        "b.html": RemoteObject("b.html", 10, "cc", variant="other-headers", kind="html"),
        "gone.html": _remote("gone.html", "dd"),
        "foreign.txt": _remote("foreign.txt", None, kind="static"),
    }
    plan = make_plan(manifest, remote, precompress=False, asset_grace=0, now=0)
    assert [u.key for u in plan.uploads] == ["a.html", "b.html"]
    assert all(u.replaces for u in plan.uploads)
    assert plan.deletes == ("foreign.txt", "gone.html")
    assert plan.unchanged == 1 and plan.remote_count == 4 and plan.file_count == 3
    # A file Quire did not upload (no hash) is deleted but never counted as "published".
    assert plan.to_invalidate == ("a.html", "b.html", "foreign.txt", "gone.html")


def test_asset_grace_period() -> None:
    manifest = Manifest(files={"index.html": FileEntry("aa", 10, "html")})
    old = _remote("assets/x.1234.css", "ee", kind="asset")
    plan = make_plan(manifest, {old.key: old}, precompress=False, asset_grace=100, now=1000)
    assert plan.deferred == (old.key,) and plan.orphans == {old.key: 1000}
    marked = _remote(old.key, "ee", kind="asset", orphaned_at=950.0)
    plan = make_plan(manifest, {old.key: marked}, precompress=False, asset_grace=100, now=1000)
    assert plan.deferred == (old.key,) and plan.orphans == {old.key: 950.0}
    plan = make_plan(manifest, {old.key: marked}, precompress=False, asset_grace=100, now=1051)
    assert plan.deletes == (old.key,) and plan.deferred == ()
    assert plan.to_invalidate == ()  # an immutable asset is never invalidated


@pytest.mark.parametrize(
    "key",
    [
        "../x.html",
        "/abs.html",
        "a//b.html",
        "a/./b.html",
        "a\\b.html",
        ".quire/lock",
        ".quire-index.json",
        "quire-manifest.json",
    ],
)
def test_unsafe_keys_are_refused(key: str) -> None:
    manifest = Manifest(files={key: FileEntry("aa", 1, "html")})
    with pytest.raises(PublishError, match="refusing to publish unsafe path"):
        make_plan(manifest, {}, precompress=False, asset_grace=0, now=0)


def test_unknown_kind_is_named() -> None:
    manifest = Manifest(files={"x.bin": FileEntry("aa", 1, "blob")})  # type: ignore[arg-type]
    with pytest.raises(PublishError, match=r"'x.bin' has unknown kind 'blob'"):
        make_plan(manifest, {}, precompress=False, asset_grace=0, now=0)


def test_only_one_of_many_concurrent_lockers_wins(s3: Any, bucket: str) -> None:
    targets = [S3Target(s3, bucket) for _ in range(6)]
    results: list[str] = []
    barrier = threading.Barrier(len(targets))

    def take(target: S3Target) -> None:
        barrier.wait()
        try:
            LeaseLock(target.lease_store(), "racer", ttl=600).acquire()
            results.append("won")
        except LockedError:
            results.append("locked")

    threads = [threading.Thread(target=take, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["locked"] * 5 + ["won"]
