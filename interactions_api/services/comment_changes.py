"""A change to a comment and what follows it: the commit, the baked page, the reply mail.

One flow for every way a comment changes (posted, edited, deleted, or an editor's
decision from the JSON API or the moderation page): a change to what readers see owes a
re-bake of the article page, recorded in the change's own transaction; then `commit`
(given by the caller: it commits and drops the thread's cached answers) runs before the
rebuild is requested and the reply mail queued, which read the new state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from builder.manifest import Thread
from interactions_api.config import Settings
from interactions_api.db import reading
from interactions_api.errors import NotFound
from interactions_api.models.comment import Comment, CommentStatus
from interactions_api.models.user import User
from interactions_api.services import baking, comments, moderation, replies, reports
from interactions_api.services.threads import ThreadRegistry

Commit = Callable[[str], None]  # commit, then forget the thread's cached answers


def _public(comment: Comment | None) -> bool:
    return comment is not None and comment.status == CommentStatus.approved.value


def _settle(
    db: Session, redis: Any, settings: Settings, thread_id: str, *, shown: bool, commit: Commit
) -> None:
    """Commit; re-publish the baked page if the change touched what readers see."""
    rebake = shown and baking.owe_rebake(db, settings)  # in the change's transaction
    commit(thread_id)
    if rebake:
        baking.request_rebake(redis, settings)


def post(
    db: Session,
    redis: Any,
    settings: Settings,
    *,
    user: User | None,
    thread: Thread | None,
    thread_id: str,
    new: comments.NewComment,
    commit: Commit,
) -> Comment:
    """Store a new comment; a published one is baked and mails the parent's author."""
    comment = comments.create(db, settings, user=user, thread_id=thread_id, new=new)
    shown = _public(comment)
    _settle(db, redis, settings, thread_id, shown=shown, commit=commit)
    if shown and comment.parent_id is not None:  # only a reply notifies anyone
        with reading(db):  # after the commit: reads only, no write lock
            replies.notify_reply(db, redis, settings, comment, thread)
    return comment


def edit(
    db: Session,
    redis: Any,
    settings: Settings,
    *,
    user: User,
    comment_id: int,
    body: str,
    commit: Commit,
) -> Comment:
    """Change a comment's text (its author in the edit window, or an editor)."""
    shown = _public(db.get(Comment, comment_id))
    comment = comments.edit(db, settings, user=user, comment_id=comment_id, body=body)
    _settle(db, redis, settings, comment.thread_id, shown=shown, commit=commit)
    return comment


def remove(
    db: Session, redis: Any, settings: Settings, *, user: User, comment_id: int, commit: Commit
) -> None:
    """Delete a comment (a placeholder stays if it has replies)."""
    shown = _public(db.get(Comment, comment_id))
    thread_id = comments.remove(db, settings, user=user, comment_id=comment_id)
    _settle(db, redis, settings, thread_id, shown=shown, commit=commit)


def decide(
    db: Session,
    redis: Any,
    settings: Settings,
    *,
    threads: ThreadRegistry,
    comment_id: int,
    status: CommentStatus,
    commit: Commit,
) -> Comment:
    """An editor's decision: approving publishes the comment (and mails the parent's
    author about a new reply), removing one unpublishes it; either re-bakes its page."""
    was_public = _public(db.get(Comment, comment_id))
    comment = moderation.set_status(db, comment_id, status)
    reports.resolve(db, comment_id)  # any decision answers the readers' reports
    now_public = _public(comment)
    _settle(db, redis, settings, comment.thread_id, shown=was_public or now_public, commit=commit)
    if now_public and not was_public:
        replies.notify_reply(db, redis, settings, comment, threads.get(comment.thread_id))
    return comment


def decide_many(
    db: Session,
    redis: Any,
    settings: Settings,
    *,
    threads: ThreadRegistry,
    comment_ids: list[int],
    status: CommentStatus,
    commit: Commit,
) -> list[int]:
    """`decide` on each comment in turn (each re-publish is coalesced into one build);
    returns the ids that were decided (a comment gone meanwhile is left out)."""
    decided = []
    for comment_id in dict.fromkeys(comment_ids):
        try:
            decide(db, redis, settings, threads=threads, comment_id=comment_id,
                   status=status, commit=commit)  # fmt: skip
        except NotFound:
            db.rollback()
            continue
        decided.append(comment_id)
    return decided
