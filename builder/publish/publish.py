"""Publish a built site: plan, upload in safe order, delete, invalidate. Idempotent.

Order keeps readers from ever seeing a broken page: every file goes up after the files
new in this publish that it links to (order.py: assets before the pages that use them,
articles before the lists and feeds that link to them, sitemap last), deletes only after
every upload succeeded, invalidation last. The first failed group stops everything, and
so does a lost lock (lease.py); re-running converges because the target's listing, not
memory, says what is published, and paths changed but not yet invalidated are
remembered in the target's index.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from builder.manifest import MANIFEST_NAME, Manifest, ManifestError, read_manifest
from builder.publish.errors import PublishError, RefusedError
from builder.publish.headers import encode
from builder.publish.invalidate import fold_paths, invalidate, url_paths
from builder.publish.lease import LeaseLock, Renewer
from builder.publish.order import article_keys, upload_groups
from builder.publish.plan import Plan, Upload, make_plan, mark_orphans
from builder.publish.report import PublishReport
from builder.publish.target import RemoteObject, RemoteState, Target

Progress = Callable[[str, int, int], None]  # (what just happened, done, total)


@dataclass(frozen=True, slots=True)
class Options:
    """How to publish; mirrors PublishSettings so the worker and the CLI share defaults."""

    dry_run: bool = False
    force: bool = False
    max_deletes: int = 256
    min_ratio: float = 0.5
    asset_grace: float = 2 * 86400
    precompress: bool = False
    concurrency: int = 8
    max_invalidation_paths: int = 300
    lock_stale_after: float = 1800
    lock_lease: float = 60
    lock_owner: str = "quire deploy"
    progress: Progress | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)


def publish(
    output_dir: Path,
    target: Target,
    *,
    cloudfront: Any = None,
    distribution_id: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    max_deletes: int = 256,
    min_ratio: float = 0.5,
    asset_grace: float = 2 * 86400,
    precompress: bool = False,
    concurrency: int = 8,
    max_invalidation_paths: int = 300,
    lock_stale_after: float = 1800,
    lock_lease: float = 60,
    lock_owner: str = "quire deploy",
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishReport:
    """Publish `output_dir` (a build with its manifest) to `target`; raise PublishError.

    `cloudfront` is a boto3 CloudFront client (passed in, like the target's S3 client);
    with `distribution_id` the changed paths are invalidated. The other arguments mirror
    PublishSettings.
    """
    opts = Options(
        dry_run=dry_run,
        force=force,
        max_deletes=max_deletes,
        min_ratio=min_ratio,
        asset_grace=asset_grace,
        precompress=precompress,
        concurrency=concurrency,
        max_invalidation_paths=max_invalidation_paths,
        lock_stale_after=lock_stale_after,
        lock_lease=lock_lease,
        lock_owner=lock_owner,
        progress=progress,
        sleep=sleep,
    )
    try:
        return _publish(output_dir, target, cloudfront, distribution_id, opts)
    except (BotoCoreError, ClientError) as exc:
        # Credentials, endpoint or permission problems surface as one clear error.
        raise PublishError(f"{target.url}: {exc}") from exc


def _publish(
    output_dir: Path,
    target: Target,
    cloudfront: Any,
    distribution_id: str | None,
    opts: Options,
) -> PublishReport:
    dry_run, cdn = opts.dry_run, (cloudfront, distribution_id)
    if distribution_id and cloudfront is None and not dry_run:
        raise PublishError(f"CloudFront {distribution_id}: no CloudFront client was passed in")
    started = time.monotonic()
    manifest = _load(output_dir)
    report = PublishReport(target=target.url, dry_run=dry_run)
    state, plan = _survey(manifest, target, opts)
    if not opts.force:
        _refuse_suspicious(plan, manifest, output_dir, opts)
    if _is_noop(plan, state):
        # Nothing to write, not even the lock: a no-op publish makes zero PUTs.
        report.unchanged = plan.unchanged
        report.deferred = list(plan.deferred)
        report.seconds = round(time.monotonic() - started, 3)
        return report
    try:
        if dry_run:
            return _run(manifest, state, plan, target, output_dir, report, None, opts, cdn)
        lock = LeaseLock(
            target.lease_store(),
            opts.lock_owner,
            ttl=opts.lock_lease,
            legacy_ttl=opts.lock_stale_after,
        )
        lock.acquire()
        try:
            with Renewer(lock):
                state, plan = _survey(manifest, target, opts)  # what the lock now protects
                return _run(manifest, state, plan, target, output_dir, report, lock, opts, cdn)
        finally:
            # A lease we cannot release (network gone) runs out; never hide the real error.
            with contextlib.suppress(BotoCoreError, ClientError, OSError, PublishError):
                lock.release()
    except PublishError as exc:
        report.error = str(exc)
        exc.report = report
        raise
    finally:
        report.seconds = round(time.monotonic() - started, 3)


def _run(
    manifest: Manifest,
    state: RemoteState,
    plan: Plan,
    target: Target,
    output_dir: Path,
    report: PublishReport,
    lock: LeaseLock | None,
    opts: Options,
    cdn: tuple[Any, str | None],
) -> PublishReport:
    """Refuse, report, and (holding `lock`; None: dry run) upload, delete, invalidate."""
    cloudfront, distribution_id = cdn
    if not opts.force:
        _refuse_suspicious(plan, manifest, output_dir, opts)
    report.uploads = [u.key for u in plan.uploads]
    report.replaced = list(plan.replaced)
    report.deletes = list(plan.deletes)
    report.deferred = list(plan.deferred)
    report.unchanged = plan.unchanged
    pending = sorted(set(state.pending_invalidation) | set(plan.to_invalidate))
    universe = url_paths(set(manifest.files) | set(state.objects))
    if lock is None:
        if distribution_id and pending:
            report.invalidation_paths = fold_paths(
                url_paths(pending), universe, max_paths=opts.max_invalidation_paths
            )
        return report
    _check_files(plan, output_dir)
    current = _apply(plan, target, output_dir, manifest, state, report, lock, opts)
    if pending and cloudfront is not None and distribution_id:
        done = invalidate(
            cloudfront,
            distribution_id,
            url_paths(pending),
            universe,
            max_paths=opts.max_invalidation_paths,
            caller_reference=f"quire-{uuid.uuid4()}",
            sleep=opts.sleep,
        )
        report.invalidation_paths = list(done.paths)
        report.invalidation_id = done.invalidation_id
    if (pending or _index_changed(plan, state)) and lock.holds():
        # Invalidated, or no CDN to invalidate: the backlog is done.
        target.save_index(mark_orphans(current, plan.orphans), ())
    return report


def _survey(manifest: Manifest, target: Target, opts: Options) -> tuple[RemoteState, Plan]:
    """List the target and plan against it."""
    state = target.list_objects()
    plan = make_plan(
        manifest,
        state.objects,
        precompress=opts.precompress and target.supports_encoding,
        asset_grace=opts.asset_grace,
        now=time.time(),
    )
    return state, plan


def _is_noop(plan: Plan, state: RemoteState) -> bool:
    """Nothing to upload, delete, invalidate or record."""
    return not state.pending_invalidation and not _index_changed(plan, state)


def _load(output_dir: Path) -> Manifest:
    try:
        manifest = read_manifest(output_dir)
    except ManifestError as exc:
        raise PublishError(str(exc)) from exc
    if manifest is None:
        raise PublishError(
            f"{output_dir / MANIFEST_NAME}: no build manifest; run `quire build` first"
        )
    return manifest


def _refuse_suspicious(plan: Plan, manifest: Manifest, output_dir: Path, opts: Options) -> None:
    hint = "pass --force to publish anyway"
    if "index.html" not in manifest.files:
        raise RefusedError(
            f"{output_dir}: the build has no index.html (an empty or partial build?); {hint}"
        )
    if plan.remote_count and plan.file_count < opts.min_ratio * plan.remote_count:
        raise RefusedError(
            f"{output_dir}: the build has {plan.file_count} files but the last publish had "
            f"{plan.remote_count} (under {opts.min_ratio:.0%}); {hint}"
        )
    if len(plan.deletes) > opts.max_deletes:
        raise RefusedError(
            f"{output_dir}: the publish would delete {len(plan.deletes)} files, more than "
            f"QUIRE_PUBLISH_MAX_DELETES={opts.max_deletes} (first: {plan.deletes[0]}); {hint}"
        )


def _check_files(plan: Plan, output_dir: Path) -> None:
    """Every file to upload exists with the manifest's size, before anything is touched."""
    for upload in plan.uploads:
        path = output_dir / upload.key
        if not path.is_file():
            raise PublishError(f"{path}: listed in {MANIFEST_NAME} but missing; rebuild the site")
        if path.stat().st_size != upload.size:
            raise PublishError(f"{path}: changed since the build (size differs); rebuild the site")


def _apply(
    plan: Plan,
    target: Target,
    output_dir: Path,
    manifest: Manifest,
    state: RemoteState,
    report: PublishReport,
    lock: LeaseLock,
    opts: Options,
) -> dict[str, RemoteObject]:
    """Upload group by group (each links only to earlier ones), then delete; save the index
    after each step."""
    current = dict(state.objects)
    pending = set(state.pending_invalidation)
    total = len(plan.uploads) + len(plan.deletes)
    groups = upload_groups(
        plan.uploads, output_dir, base_url=manifest.base_url, articles=article_keys(manifest)
    )
    for name, batch in groups:
        lock.check()  # a publish that lost its lease stops before writing more
        failure: tuple[Upload, BaseException] | None = None
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=opts.concurrency)
        futures: dict[Future[RemoteObject | None], Upload] = {
            pool.submit(_put_one, target, output_dir, u, stop): u for u in batch
        }
        try:
            # Every future is waited for (none starts after a failure): an upload that
            # finished meanwhile must still be recorded and, if it replaced a file, invalidated.
            for fut in as_completed(futures):
                upload = futures[fut]
                exc = fut.exception()
                if exc is not None:
                    if failure is None:
                        failure = (upload, exc)
                    if upload.replaces:  # it may have landed before the error came back
                        pending.add(upload.key)
                    continue
                obj = fut.result()
                if obj is None:
                    continue  # skipped after another upload of the group failed
                current[upload.key] = obj
                if upload.replaces:
                    pending.add(upload.key)
                report.puts += 1
                report.bytes_uploaded += obj.size
                if opts.progress:
                    opts.progress(upload.key, report.puts, total)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if lock.holds():  # else the new holder's index is the truer one
                target.save_index(mark_orphans(current, plan.orphans), sorted(pending))
        if failure is not None:
            upload, exc = failure
            raise PublishError(
                f"{upload.key}: upload failed in group {name!r} ({exc}); nothing was deleted "
                "or invalidated and the published files are intact; re-run `quire deploy`"
            ) from exc
    if plan.deletes:
        lock.check()  # deleting for a publish that lost its lease could undo the new one
        _delete(plan, target, current, pending, opts.progress, total)
    return current


def _delete(
    plan: Plan,
    target: Target,
    current: dict[str, RemoteObject],
    pending: set[str],
    progress: Progress | None,
    total: int,
) -> None:
    """Delete what the build no longer has, and record it in the index."""
    target.delete(plan.deletes)
    for key in plan.deletes:
        current.pop(key, None)
    pending.update(plan.stale_on_delete)
    target.save_index(mark_orphans(current, plan.orphans), sorted(pending))
    if progress:
        progress(f"deleted {len(plan.deletes)} files", total, total)


def _put_one(
    target: Target, output_dir: Path, upload: Upload, stop: threading.Event
) -> RemoteObject | None:
    """Upload one file, unless another upload of the group already failed."""
    if stop.is_set():
        return None
    try:
        body = (output_dir / upload.key).read_bytes()
        if hashlib.sha256(body).hexdigest() != upload.sha256:
            raise PublishError(
                f"{output_dir / upload.key}: content differs from {MANIFEST_NAME}; rebuild the site"
            )
        return target.put(
            upload.key,
            encode(body, upload.headers),
            headers=upload.headers,
            sha256=upload.sha256,
            kind=upload.kind,
        )
    except BaseException:
        stop.set()  # set here, in the worker, so no queued upload of this group starts
        raise


def _index_changed(plan: Plan, state: RemoteState) -> bool:
    """Whether the stored index lags the truth (so a no-op publish makes no PUT at all)."""
    orphans_before = {k: o.orphaned_at for k, o in state.objects.items() if o.orphaned_at}
    return bool(plan.uploads or plan.deletes or plan.orphans != orphans_before) or (
        not state.index_current
    )
