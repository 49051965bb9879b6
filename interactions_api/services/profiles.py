"""Saving a profile, and the publish it owes: the display name, bio and website are the
byline and author page of the static site (authors.toml, see bylines.py), so a change by
someone who has published owes a publish that rewrites their entry and rebuilds.

The outbox row is written in the caller's transaction (reason "profile", `actor_id` the
account); after the commit the caller enqueues the build (`outbox.enqueue_build`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from interactions_api.config import Settings
from interactions_api.models.inbox import OutboxEntry, Submission
from interactions_api.models.user import User
from interactions_api.services.outbox import enqueue_build

PROFILE_REASON = "profile"


def byline(user: User) -> tuple[str, str, str, str]:
    """What of the account the static site shows."""
    return (user.display_name, user.bio, user.website, user.avatar)


def has_published(db: Session, user: User) -> bool:
    """Whether an article of the account is (or was) live: it has an author page."""
    found = db.exec(
        select(Submission.id).where(
            col(Submission.author_id) == user.id, col(Submission.published_revision_id).is_not(None)
        )
    ).first()
    return found is not None


def owe_byline_publish(
    db: Session, settings: Settings, user: User, before: tuple[str, str, str, str]
) -> bool:
    """Record the publish a profile change owes (True), if the byline changed and the
    account has an author page; the caller commits, then enqueues the build."""
    if byline(user) == before or not has_published(db, user):
        return False
    db.add(OutboxEntry(site=settings.site_id, reason=PROFILE_REASON, actor_id=user.id))
    db.flush()
    return True


def publish_if_owed(
    db: Session, settings: Settings, redis: Any, user: User, before: tuple[str, str, str, str]
) -> bool:
    """After a profile change: owe the publish, commit, enqueue the build (True), or do
    nothing when the site shows nothing that changed (False)."""
    if not owe_byline_publish(db, settings, user, before):
        return False
    db.commit()  # the build must find the outbox row
    enqueue_build(redis, settings)
    return True
