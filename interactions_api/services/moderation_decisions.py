"""An editor's decision on a comment, and what follows it: the baked pages and the mail.

One function for every way in (the JSON API and the moderation page), so approving or
removing a comment always re-publishes its baked page (the coalesced rebuild) and
mails the parent's author about a newly published reply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.models.comment import Comment, CommentStatus
from interactions_api.services import baking, moderation, replies
from interactions_api.services.threads import ThreadRegistry


def apply_decision(
    db: Session,
    *,
    redis: Any,
    settings: Settings,
    threads: ThreadRegistry,
    comment_id: int,
    status: CommentStatus,
    commit: Callable[[str], None],
) -> Comment:
    """Set a comment's status; `commit(thread_id)` commits (and drops cached answers)
    before the rebuild is requested and the reply mail queued, which read the new state."""
    found = db.get(Comment, comment_id)
    was_public = found is not None and found.status == CommentStatus.approved.value
    comment = moderation.set_status(db, comment_id, status)
    now_public = comment.status == CommentStatus.approved.value
    # Approving publishes the comment, removing one unpublishes it: its page is re-baked.
    rebake = (was_public or now_public) and baking.owe_rebake(db, settings)
    commit(comment.thread_id)
    if rebake:
        baking.request_rebake(redis, settings)
    if now_public and not was_public:
        replies.notify_reply(db, redis, settings, comment, threads.get(comment.thread_id))
    return comment
