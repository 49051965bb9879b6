"""What a build leaves behind: its record, the outbox rows it closed, the submissions it
published or sent back, the mails it sends and the manifest the API reads threads from."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from builder.manifest import MANIFEST_NAME
from builder.pipeline import BuildResult
from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import BuildRecord, OutboxEntry, Revision, Status, Submission
from interactions_api.services.contentrepo import QUIRE_IDENTITY, ContentRepo
from interactions_api.services.inbox import record
from interactions_api.services.notifications import messages

log = logging.getLogger("quire.build")


def share_manifest(settings: Settings, output_dir: Path) -> None:
    """Hand the API the published threads (QUIRE_MANIFEST_PATH), so new articles accept
    comments at once; written atomically, as the API may read it at any moment."""
    source = output_dir / MANIFEST_NAME
    target = settings.manifest_path
    if not source.is_file() or target.resolve() == source.resolve():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)


def finish(
    engine: Engine, build: BuildRecord, *, status: str, errors: list[str], sha: str, **extra: int
) -> None:
    """Store a build's outcome."""
    with Session(engine) as db:
        row = db.get(BuildRecord, build.id)
        assert row is not None
        row.status, row.errors, row.commit_sha = status, errors, sha
        for key, value in extra.items():
            setattr(row, key, value)
        db.add(row)
        db.commit()


def close_rows(db: Session, due: list[OutboxEntry], build_id: int | None, outcome: str) -> None:
    """Mark the outbox rows a build handled as done (with how it went)."""
    ids = [e.id for e in due]
    for entry in db.exec(select(OutboxEntry).where(col(OutboxEntry.id).in_(ids))).all():
        if entry.done_at is None:
            entry.done_at, entry.build_id, entry.outcome = utcnow(), build_id, outcome
            db.add(entry)


def content_failed(
    engine: Engine,
    repo: ContentRepo,
    build: BuildRecord,
    due: list[OutboxEntry],
    committed: dict[int, str],
    result: BuildResult,
    errors: list[str],
) -> None:
    """Record the builder's errors; send back (and take out) the articles that caused them."""
    finish(engine, build, status="failed", errors=errors, sha=repo.head() or "")
    broken_files = {d.file for d in result.errors}
    with Session(engine) as db:
        for sub_id, path in committed.items():
            sub = db.get(Submission, sub_id)
            if sub is None or path not in broken_files:
                continue
            published = db.get(Revision, sub.published_revision_id or -1)
            old = (
                repo.read(path, published.commit_sha)
                if published and published.commit_sha
                else None
            )
            repo.commit(
                {path: old},
                message=f"Take {sub.slug} back out: it broke the build",
                author=QUIRE_IDENTITY,
                committer=QUIRE_IDENTITY,
            )
            rev = db.get(Revision, sub.approved_revision_id or -1)
            if rev is not None:
                rev.commit_sha = None
                db.add(rev)
            before = sub.status
            sub.status, sub.approved_revision_id, sub.publish_at = (
                Status.changes_requested.value,
                None,
                None,
            )
            sub.version += 1
            sub.updated_at = utcnow()
            db.add(sub)
            mine = [e for e in errors if path in e]
            record(
                db,
                sub,
                None,
                "build_failed",
                from_status=before,
                to_status=sub.status,
                detail="\n".join(mine),
            )
        # A content error does not pass by retrying: close these rows; a fix owes a new build.
        close_rows(db, due, build.id, "failed")
        db.commit()


def published(
    settings: Settings,
    engine: Engine,
    build: BuildRecord,
    due: list[OutboxEntry],
    result: BuildResult,
    uploads: int,
    deletes: int,
    sha: str,
) -> None:
    finish(
        engine,
        build,
        status="succeeded",
        errors=[],
        sha=sha,
        uploads=uploads,
        deletes=deletes,
        pages_changed=sum(1 for p in result.changed if p.endswith(".html")),
    )
    manifest = result.manifest
    base = result.site.config.base_url if result.site else ""
    mails: list[tuple[str, str, str]] = []
    with Session(engine) as db:
        # Every approved article whose revision is in the repository is now live, including
        # ones whose earlier build failed for someone else's mistake.
        waiting = db.exec(
            select(Submission).where(
                col(Submission.status).in_([Status.approved.value, Status.scheduled.value])
            )
        ).all()
        for sub in waiting:
            rev = db.get(Revision, sub.approved_revision_id or -1)
            if rev is None or not rev.commit_sha:
                continue
            before = sub.status
            sub.status, sub.published_revision_id = Status.published.value, rev.id
            sub.approved_revision_id, sub.publish_at = None, None
            thread = manifest.threads.get(sub.slug) if manifest else None
            sub.live_url = f"{base}{thread.url}" if thread else sub.live_url
            sub.version += 1
            sub.updated_at = utcnow()
            db.add(sub)
            mails.extend(messages(db, settings, sub, rev.title, "published"))
            record(
                db,
                sub,
                None,
                "published",
                from_status=before,
                to_status=sub.status,
                detail=f"build {build.id}: {sub.live_url}",
            )
        close_rows(db, due, build.id, "published")
        db.commit()
    for to, subject, body in mails:  # the worker is the background: send directly
        try:
            mail.send_now(settings, to=to, subject=subject, body=body)
        except OSError as exc:
            log.warning("mail to %s not sent: %s", to, exc)
