"""The publishing flow: a review action or an approval, stored, its build queued, its mail
sent; where a submission's publish stands; what a push to the content repository owes.

The JSON API, the inbox pages and the webhook all go through these functions, so every
way in commits before any job can look and mails exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from interactions_api.config import Settings
from interactions_api.errors import NotFound
from interactions_api.models.inbox import BuildRecord, OutboxEntry, Submission
from interactions_api.models.inbox_io import BuildState
from interactions_api.models.user import User
from interactions_api.services import inbox, review, sitesettings
from interactions_api.services.notifications import notify
from interactions_api.services.outbox import (
    EnqueueResult,
    enqueue_build,
    owe_publish,
    schedule_build,
)


def take_action(
    db: Session,
    redis: Any,
    settings: Settings,
    sub: Submission,
    user: User,
    action: str,
    *,
    version: int,
    note: str = "",
) -> None:
    """Take a review action (submit, withdraw, request changes, ...), store it, then send
    its mail: the one way every form and API call does it, so each mails exactly once."""
    review.transition(db, sub, user, action, version=version, note=note)
    db.commit()  # mail only about what is stored
    notify(db, redis, settings, sub, inbox.current_revision(db, sub).title, action, note)


def approve(
    db: Session,
    redis: Any,
    settings: Settings,
    sub: Submission,
    editor: User,
    *,
    version: int,
    publish_at: datetime | None = None,
    note: str = "",
) -> BuildState:
    """Approve now or at `publish_at`, store it, queue or schedule the build (pending
    while Redis is down: the worker's reconciler queues it), mail the author."""
    entry = review.approve(
        db,
        sub,
        editor,
        version=version,
        site=settings.site_id,
        publish_at=publish_at,
        note=note,
        allow_self=sitesettings.allow_self_approval(db, settings),
    )
    db.commit()  # the approval and its outbox row are stored before any job can look
    state: BuildState
    if entry.reason == "schedule":
        queued = schedule_build(redis, settings, review.aware(entry.due_at))
        state = "pending" if queued == "pending" else "scheduled"
    else:
        state = enqueue_build(redis, settings)
    notify(db, redis, settings, sub, inbox.current_revision(db, sub).title, "approve", note)
    return state


def build_state(db: Session, sub: Submission) -> tuple[BuildState, BuildRecord | None]:
    """Where the submission's publish stands, and the build that handled it."""
    entry, build = inbox.build_state(db, sub)
    if entry is None or entry.outcome == "canceled":
        return "none", build
    if entry.done_at is None:
        return ("scheduled" if entry.reason == "schedule" else "pending"), build
    return ("published" if entry.outcome == "published" else "failed"), build


def recent_builds(db: Session, limit: int) -> Sequence[BuildRecord]:
    """The site's newest builds, newest first."""
    return db.exec(select(BuildRecord).order_by(col(BuildRecord.id).desc()).limit(limit)).all()


def publish_now(
    db: Session, redis: Any, settings: Settings, reason: str
) -> tuple[int, EnqueueResult]:
    """Owe a publish no approval caused (a push), store it, queue the build: (entry id,
    how the build was queued)."""
    entry = owe_publish(db, settings.site_id, reason)
    db.commit()  # owed before any job can look
    assert entry.id is not None
    return entry.id, enqueue_build(redis, settings)


def submitted(db: Session, redis: Any, settings: Settings, subs: Sequence[Submission]) -> None:
    """Store submissions that arrived for review (a push) and mail the editors once each."""
    db.commit()  # mail only about what is stored
    for sub in subs:
        notify(db, redis, settings, sub, inbox.current_revision(db, sub).title, "submit")


def publish_result(db: Session, entry_id: object) -> tuple[OutboxEntry, BuildRecord | None]:
    """A publish owed and the build that handled it (None while none has), else 404."""
    entry = db.get(OutboxEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(f"There is no publish {entry_id!r}.", code="entry_not_found")
    build = db.get(BuildRecord, entry.build_id) if entry.build_id else None
    return entry, build


def build_record(db: Session, build_id: int) -> BuildRecord:
    """One build of the site, else 404."""
    build = db.get(BuildRecord, build_id)
    if build is None:
        raise NotFound(f"There is no build {build_id}.", code="build_not_found")
    return build
