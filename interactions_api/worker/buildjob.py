"""The build job: approvals into the content repository, then build, publish and record.

Steps, each safe to repeat: (1) every approved revision that is due is committed to the
content repository (author: the article's author, committer: the approving editor; a
revision already committed is skipped); (2) the branch is checked out into the working
site folder; (3) the builder rebuilds incrementally into an output folder kept between
builds; (4) `publish()` syncs it to the target. Builder errors stop before publishing, so
the live site stays as it was; an article whose own file broke the build is taken back
out of the repository and returned to its author with the errors. Publish errors are
recorded and raised, so RQ retries the job with backoff; outbox rows stay open until a
build publishes them.

The build updates the search index with the pages (builder.search_index: in time
proportional to the change), so an approved post is found by the site's search as soon
as it is live, and no follow-up job is needed. `run_search_refresh` still serves refresh
jobs queued before (interactions_api.worker.search): it publishes the output again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from builder.build_result import report_lines
from builder.config import BuildOptions
from builder.pipeline import BuildResult, build_site
from builder.publish.clients import publish_with_settings
from builder.publish.errors import PublishError
from builder.publish.report import PublishReport
from builder.publish.settings import PublishSettings
from builder.render import BakedThread
from builder.search import SEARCH_DIR, search_is_stale
from builder.uptodate import next_due
from interactions_api.config import Settings
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import BuildRecord, OutboxEntry, Revision, Submission
from interactions_api.models.user import User
from interactions_api.services.avatars import avatar_files
from interactions_api.services.baking import active_threads, baked_threads
from interactions_api.services.bylines import AUTHORS_FILE, author_key, with_author
from interactions_api.services.contentrepo import (
    QUIRE_IDENTITY,
    ContentRepo,
    Identity,
    open_repo,
)
from interactions_api.services.inbox import revision_fields
from interactions_api.services.outbox import outstanding, schedule_build
from interactions_api.services.postfile import post_path, render_post
from interactions_api.services.profiles import PROFILE_REASON
from interactions_api.services.review import aware
from interactions_api.services.uploads import image_files
from interactions_api.worker.records import content_failed, finish, published, share_manifest

log = logging.getLogger("quire.search")


class BuildFailed(RuntimeError):
    """A build or publish failed for a reason that may pass (RQ retries the job)."""


def site_dirs(settings: Settings) -> tuple[Path, Path, Path]:
    """The working site folder, its git index file, and the kept build output folder."""
    root = settings.data_dir / "sites" / settings.site_id
    return root / "site", root / "site.index", root / "public"


@contextmanager
def site_lock(settings: Settings) -> Iterator[None]:
    """Hold the site's build lock: two jobs never touch the same site folder at once."""
    path = settings.data_dir / "sites" / f"{settings.site_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_build(
    settings: Settings, publish_settings: PublishSettings, engine: Engine, redis: Any = None
) -> dict[str, Any]:
    """Build and publish everything owed for the site; returns the build's summary.

    The build updates the search index with the pages, before publishing.
    """
    with site_lock(settings):
        now = utcnow()
        with Session(engine, expire_on_commit=False) as db:
            # Holding the lock, no other build of this site runs: a "running" one was cut
            # short (its worker died); its outbox rows are still open and built now.
            host = socket.gethostname()
            for stale in db.exec(
                select(BuildRecord).where(
                    BuildRecord.site == settings.site_id, BuildRecord.status == "running"
                )
            ).all():
                if not stale.worker.startswith(f"{host}:"):
                    continue  # another machine's build: not ours to judge
                stale.status, stale.finished_at = "failed", now
                stale.errors = ["the worker stopped during this build; it was built again"]
                db.add(stale)
            due = [e for e in outstanding(db, settings.site_id) if aware(e.due_at) <= now]
            build = BuildRecord(
                site=settings.site_id,
                worker=f"{host}:{os.getpid()}",
                outbox_ids=[e.id for e in due if e.id],
            )
            db.add(build)
            db.commit()
        started = time.monotonic()
        lines: list[str] = [f"build {build.id}: {len(due)} publish(es) owed"]
        crash = "the build stopped unexpectedly"
        try:
            return _run(settings, publish_settings, engine, build, due, lines, redis)
        except Exception as exc:  # recorded for the inbox, then re-raised for RQ's retry
            crash = f"{type(exc).__name__}: {exc}"
            lines.append(crash)
            raise
        finally:
            with Session(engine) as db:
                row = db.get(BuildRecord, build.id)
                if row is not None:
                    row.seconds = round(time.monotonic() - started, 3)
                    row.log = "\n".join(lines)
                    row.finished_at = utcnow()
                    if row.status == "running":
                        row.status = "failed"
                        row.errors = [*row.errors, crash]
                    db.add(row)
                    db.commit()


def _run(
    settings: Settings,
    publish_settings: PublishSettings,
    engine: Engine,
    build: BuildRecord,
    due: list[OutboxEntry],
    lines: list[str],
    redis: Any,
) -> dict[str, Any]:
    repo = open_repo(settings)
    committed: dict[int, str] = {}  # submission id -> path of its file
    for entry in due:
        if entry.revision_id is not None and entry.submission_id is not None:
            path = _commit_revision(settings, engine, repo, entry, lines)
            if path:
                committed[entry.submission_id] = path
        elif entry.reason == PROFILE_REASON and entry.actor_id is not None:
            _commit_byline(settings, engine, repo, entry.actor_id, lines)
    work_dir, index_file, output_dir = site_dirs(settings)
    sha = repo.checkout(work_dir, index_file)
    lines.append(f"checked out {sha[:12]} of {repo.branch}")
    baked = _baked(settings, engine)
    if baked is not None:
        lines.append(f"baked the comments of {len(baked)} thread(s)")
    options = BuildOptions(
        output_dir=output_dir, search_index=True, base_url=settings.site_url or None
    )
    result = build_site(work_dir, options, baked=baked)
    lines.extend(f"{stage}: {secs:.3f}s" for stage, secs in result.timings.items())
    lines.extend(report_lines(result.warnings))  # a warning in every post: counted
    if not result.ok:
        errors = [str(d) for d in result.errors] or ["the build failed"]
        lines.extend(errors)
        content_failed(engine, repo, build, due, committed, result, errors)
        return {"build": build.id, "ok": False, "errors": errors}
    _search_after_build(result, lines)
    try:
        report = publish_output(settings, output_dir, publish_settings)
    except PublishError as exc:
        lines.append(f"publish failed: {exc}")
        finish(engine, build, status="failed", errors=[f"publish failed: {exc}"], sha=sha)
        raise BuildFailed(f"publish of build {build.id} failed: {exc}") from exc
    lines.append(
        f"published to {report.target}: {report.puts} uploaded, {len(report.deletes)} "
        f"deleted, {report.unchanged} unchanged"
    )
    share_manifest(settings, output_dir)
    published(settings, engine, build, due, result, report.puts, len(report.deletes), sha)
    _owe_future_posts(settings, engine, redis, work_dir, lines)
    return {"build": build.id, "ok": True, "uploads": report.puts, "pages": len(result.changed)}


def publish_output(
    settings: Settings, output_dir: Path, publish_settings: PublishSettings
) -> PublishReport:
    """Publish the site's output with the worker's settings; raises PublishError.

    The target's lock is a lease: one left by a job of ours that died (same host, its
    process gone) is taken over at once, one of another machine when its lease runs out
    (before RQ's second retry with the default lease), and a live publish's never.
    """
    return publish_with_settings(
        output_dir, publish_settings, lock_owner=f"quire worker (site {settings.site_id})"
    )


def _search_after_build(result: BuildResult, lines: list[str]) -> None:
    """Log what the build did to the search index (it comes with the pages)."""
    index = [p for p in result.changed if p.startswith(f"{SEARCH_DIR}/") and p.endswith(".json")]
    if index:
        lines.append(f"search index: {len(index)} file(s) updated by this build")


def run_search_refresh(settings: Settings, publish_settings: PublishSettings) -> dict[str, Any]:
    """Publish the built site again (a refresh job queued when builds left the index behind)."""
    lines = [f"search refresh of site {settings.site_id}"]
    ok = False
    try:
        with site_lock(settings):
            ok = _refresh(settings, publish_settings, lines)
    except Exception as exc:
        lines.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        for line in lines:
            log.info(line)
    return {"site": settings.site_id, "ok": ok, "log": lines}


def _refresh(settings: Settings, publish_settings: PublishSettings, lines: list[str]) -> bool:
    _, _, output_dir = site_dirs(settings)
    if search_is_stale(output_dir):  # left by `quire build --no-search`: the next build
        lines.append("search index: behind the pages until the next build")
    else:
        lines.append("search index: up to date (every build updates it)")
    try:
        report = publish_output(settings, output_dir, publish_settings)
    except PublishError as exc:  # raised: RQ's retry publishes the new index
        lines.append(f"publish failed: {exc}")
        raise BuildFailed(f"publish of the search index failed: {exc}") from exc
    lines.append(
        f"published to {report.target}: {report.puts} uploaded, {len(report.deletes)} "
        f"deleted, {report.unchanged} unchanged"
    )
    share_manifest(settings, output_dir)
    return True


def _baked(settings: Settings, engine: Engine) -> dict[str, BakedThread] | None:
    """Every thread's approved comments as of now, for the article pages (or None: off)."""
    if not settings.bake_comments:
        return None
    with Session(engine) as db:
        return baked_threads(db, active_threads(db))


def _identity(user: User | None) -> Identity:
    return Identity(user.display_name, user.email) if user else QUIRE_IDENTITY


def _commit_revision(
    settings: Settings, engine: Engine, repo: ContentRepo, entry: OutboxEntry, lines: list[str]
) -> str | None:
    """Write one approved revision into the repository (once); returns its file's path."""
    with Session(engine) as db:
        sub = db.get(Submission, entry.submission_id)
        rev = db.get(Revision, entry.revision_id)
        if sub is None or rev is None or sub.approved_revision_id != rev.id:
            return None  # superseded or withdrawn since it was approved
        path = post_path(sub.slug)
        if rev.commit_sha:
            return path
        when: datetime = sub.publish_at or rev.date or entry.created_at
        writer = db.get(User, sub.author_id)
        bylines = (author_key(writer),) if writer else ()
        text = render_post(revision_fields(rev), slug=sub.slug, date=aware(when), authors=bylines)
        files: dict[str, bytes | None] = {path: text.encode("utf-8")}
        files.update(image_files(db, settings, sub))
        if writer is not None:  # the byline's name and profile: the writer's account
            known = repo.read(AUTHORS_FILE)
            authors = with_author(known.decode("utf-8") if known else None, writer)
            files[AUTHORS_FILE] = authors.encode("utf-8")
            files.update(avatar_files(settings, writer))
        editor = db.get(User, entry.actor_id) if entry.actor_id else None
        sha = repo.commit(
            files,
            message=f"Publish {sub.slug} (revision {rev.number})\n\n"
            f"Approved in the Quire inbox by {_identity(editor).name}.",
            author=_identity(writer),
            committer=_identity(editor),
        )
        rev.commit_sha = sha or repo.head()
        db.add(rev)
        db.commit()
        lines.append(f"committed {path} ({(rev.commit_sha or '')[:12]})")
        return path


def _commit_byline(
    settings: Settings, engine: Engine, repo: ContentRepo, user_id: int, lines: list[str]
) -> None:
    """Rewrite an account's entry in authors.toml (and add its avatar) after a profile
    change; nothing when the account has no author page."""
    with Session(engine) as db:
        user = db.get(User, user_id)
    known = repo.read(AUTHORS_FILE)
    if user is None or known is None or f"[{author_key(user)}]" not in known.decode("utf-8"):
        return
    files: dict[str, bytes | None] = {
        AUTHORS_FILE: with_author(known.decode("utf-8"), user).encode("utf-8"),
        **avatar_files(settings, user),
    }
    if any(repo.read(path) != data for path, data in files.items()):
        repo.commit(files, message=f"Profile of {author_key(user)}",
                    author=_identity(user), committer=QUIRE_IDENTITY)  # fmt: skip
        lines.append(f"committed {AUTHORS_FILE} ({author_key(user)}'s profile)")


def _owe_future_posts(
    settings: Settings, engine: Engine, redis: Any, work_dir: Path, lines: list[str]
) -> None:
    """A post dated in the future (pushed with git, or scheduled in the inbox) is owed a
    publish at its date: one outbox row per moment, so the reconciler and the scheduler
    treat it like an inbox schedule and a restart cannot forget it."""
    due_at = next_due(work_dir)
    if due_at is None:
        return
    with Session(engine) as db:
        if not any(aware(e.due_at) == due_at for e in outstanding(db, settings.site_id)):
            db.add(OutboxEntry(site=settings.site_id, reason="future", due_at=due_at))
            db.commit()
    lines.append(f"a future-dated post is due at {due_at:%Y-%m-%d %H:%M:%S} UTC")
    if redis is not None:
        schedule_build(redis, settings, due_at)
