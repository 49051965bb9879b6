"""The local-folder target: the same semantics as S3, hashes in an atomic sidecar index."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from builder.publish.errors import LockedError, PublishError, RefusedError
from builder.publish.lease import LeaseLock
from builder.publish.local import INDEX_NAME, LOCK_NAME, LocalTarget
from builder.publish.publish import publish

from .conftest import BASE_SITE, write_output


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".quire")
    }


def _mtimes(root: Path) -> dict[str, int]:
    return {p.as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_publish_noop_change_delete(out: Path, site: dict, tmp_path: Path) -> None:
    dest = tmp_path / "bucket"
    target = LocalTarget(dest)
    write_output(out, site)
    first = publish(out, target)
    assert _files(dest) == {k: v.encode() for k, (v, _) in site.items()}
    assert first.puts == len(site)
    index = json.loads((dest / INDEX_NAME).read_text())
    assert set(index["objects"]) == set(site)

    before = _mtimes(dest)
    noop = publish(out, target)
    assert noop.uploads == [] and noop.deletes == [] and noop.puts == 0
    assert _mtimes(dest) == before  # not a single file rewritten, index included

    site["posts/hello/index.html"] = ("<p>v2", "html")
    del site["posts/third/index.html"]
    write_output(out, site)
    report = publish(out, target)
    assert report.uploads == ["posts/hello/index.html"]
    assert report.deletes == ["posts/third/index.html"]
    assert _files(dest)["posts/hello/index.html"] == b"<p>v2"
    assert not (dest / "posts/third").exists()  # emptied folders go too
    assert json.loads((dest / LOCK_NAME).read_text())["released"] is True


def test_file_edited_in_target_is_detected_and_restored(out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "bucket"
    write_output(out, BASE_SITE)
    publish(out, LocalTarget(dest))
    (dest / "robots.txt").write_text("Disallow: /\n")
    report = publish(out, LocalTarget(dest))
    assert report.uploads == ["robots.txt"]
    assert (dest / "robots.txt").read_text() == "User-agent: *\n"


def test_lost_index_rebuilt_by_hashing(out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "bucket"
    write_output(out, BASE_SITE)
    publish(out, LocalTarget(dest))
    (dest / INDEX_NAME).unlink()
    state = LocalTarget(dest).list_objects()
    assert not state.index_current
    manifest = json.loads((out / "quire-manifest.json").read_text())
    assert {k: o.sha256 for k, o in state.objects.items()} == {
        k: e["sha256"] for k, e in manifest["files"].items()
    }


def test_lock_is_exclusive_and_stale_locks_break(out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "bucket"
    write_output(out, BASE_SITE)
    holder = LeaseLock(LocalTarget(dest).lease_store(), "the worker", ttl=600)
    holder.acquire()
    with pytest.raises(LockedError, match=r"the worker on .* is publishing"):
        publish(out, LocalTarget(dest))
    assert _files(dest) == {}
    holder.release()
    # A lock left an hour ago by an older Quire (no lease) on another host is broken.
    old = {"owner": "crashed", "host": "elsewhere", "pid": 1, "at": time.time() - 3600}
    (dest / LOCK_NAME).write_text(json.dumps(old))
    publish(out, LocalTarget(dest), lock_stale_after=600)
    assert len(_files(dest)) == len(BASE_SITE)


def test_unsafe_manifest_path_is_refused(out: Path, site: dict, tmp_path: Path) -> None:
    site["../escape.html"] = ("<p>x", "html")
    write_output(out / "inner", {})  # so "../escape.html" lands inside tmp_path/public
    write_output(out / "inner", site)
    with pytest.raises(PublishError, match=r"unsafe path '\.\./escape\.html'"):
        publish(out / "inner", LocalTarget(tmp_path / "bucket"))
    assert not (tmp_path / "escape.html").exists()
    assert not (tmp_path / "bucket").exists() or _files(tmp_path / "bucket") == {}


def test_empty_build_refused_then_forced(out: Path, tmp_path: Path) -> None:
    write_output(out, {"about.html": ("<p>about", "html")})
    with pytest.raises(RefusedError, match=r"no index\.html"):
        publish(out, LocalTarget(tmp_path / "bucket"))
    publish(out, LocalTarget(tmp_path / "bucket"), force=True)
    assert _files(tmp_path / "bucket") == {"about.html": b"<p>about"}


def test_missing_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"quire-manifest.json: no build manifest"):
        publish(tmp_path, LocalTarget(tmp_path / "bucket"))


def test_progress_reports_every_upload_and_delete(out: Path, site: dict, tmp_path: Path) -> None:
    events: list[tuple[str, int, int]] = []
    write_output(out, site)
    publish(out, LocalTarget(tmp_path / "b"), progress=lambda *e: events.append(e))
    assert [done for _, done, _ in events] == list(range(1, len(site) + 1))
    assert {total for _, _, total in events} == {len(site)}
    del site["posts/third/index.html"]
    write_output(out, site)
    events.clear()
    publish(out, LocalTarget(tmp_path / "b"), progress=lambda *e: events.append(e))
    assert events == [("deleted 1 files", 1, 1)]
