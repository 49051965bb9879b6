"""The comment moderation page (`/api/moderation/ui/`): held comments, approve or remove.

Server-rendered plain forms, like the inbox pages whose look and navigation it shares,
until the back office lands. Every form carries the session's CSRF token (checked by the
request guard before any handler runs); every decision goes through the same service
as the JSON API, so the baked pages follow with the coalesced re-publish.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from interactions_api.deps import OptionalUser, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError
from interactions_api.models.comment import CommentStatus
from interactions_api.models.comment_io import CommentId
from interactions_api.models.user import Role, User
from interactions_api.pages import MODERATION, need_role, render
from interactions_api.routers._cache import committer
from interactions_api.routers._interactions import ThreadsDep
from interactions_api.services import comment_changes, moderation

router = APIRouter(prefix="/api/moderation/ui", include_in_schema=False)
BASE = MODERATION
QUEUE_LIMIT = 200
_DECISIONS = {"approve": CommentStatus.approved, "remove": CommentStatus.rejected}
_DONE = {"approve": "Approved: the comment is live.", "remove": "Removed."}


def _page(
    request: Request, settings: Any, user: User | None, status: int, **ctx: Any
) -> HTMLResponse:
    return render(request, settings, user, "moderation/moderation.html", status, **ctx)


@router.get("/", response_class=HTMLResponse)
def held_comments(
    request: Request,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    done: str = "",
) -> Response:
    """The comments waiting for an editor, oldest first, with their article and author."""
    editor = need_role(user, Role.editor)
    rows = [
        (comment, author, threads.get(comment.thread_id))
        for comment, author in moderation.queue(db, CommentStatus.pending, limit=QUEUE_LIMIT)
    ]
    total = moderation.queue_size(db, CommentStatus.pending)
    return _page(request, settings, editor, 200, rows=rows, total=total, notice=_DONE.get(done, ""))


@router.post("/{comment_id}/{action}", response_class=HTMLResponse)
def decide(
    request: Request,
    comment_id: CommentId,
    action: Literal["approve", "remove"],
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    redis: RedisDep,
) -> Response:
    """Approve or remove one comment, then back to the list."""
    editor = need_role(user, Role.editor)
    try:
        comment_changes.decide(
            db,
            redis,
            settings,
            threads=threads,
            comment_id=comment_id,
            status=_DECISIONS[action],
            commit=committer(request, db),
        )
    except ApiError as exc:
        db.rollback()
        return _page(request, settings, editor, exc.status, rows=[], total=0, error=exc.message)
    return RedirectResponse(f"{BASE}/?done={action}", status_code=303)
