"""Moderation routes (editors): the queue, decisions, bans and the blocked-words list."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from interactions_api.deps import Editor, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import error_responses
from interactions_api.models.comment import CommentStatus
from interactions_api.models.comment_io import (
    AuthorOut,
    BanIn,
    BanOut,
    BlockedWordsIO,
    CommentId,
    EmptyIn,
    ModeratedOut,
    QueueItem,
    QueueOut,
    UserId,
)
from interactions_api.routers._cache import committer
from interactions_api.routers._interactions import NO_STORE, ThreadsDep, role_doc
from interactions_api.services import comment_changes, listing, moderation

router = APIRouter(prefix="/api/moderation", tags=["moderation"])

EDITOR = role_doc("editor")
Action = Literal["approve", "reject", "spam"]
_STATUS_FOR: dict[str, CommentStatus] = {
    "approve": CommentStatus.approved,
    "reject": CommentStatus.rejected,
    "spam": CommentStatus.spam,
}


@router.get(
    "/queue",
    response_model=QueueOut,
    responses=error_responses(401, 403, 422),
    openapi_extra=EDITOR,
)
def moderation_queue(
    response: Response,
    db: SessionDep,
    _editor: Editor,
    status: Literal["pending", "spam"] = Query("pending"),
    limit: int = Query(100, ge=1, le=500),
) -> QueueOut:
    """Comments waiting for a decision (or caught as spam), oldest first. Role: editor."""
    response.headers.update(NO_STORE)
    wanted = CommentStatus(status)
    items = []
    for comment, author in moderation.queue(db, wanted, limit=limit):
        public = listing.author_out(
            user_id=comment.author_id,
            display_name=None if author is None else author.display_name,
            website=None if author is None else author.website,
            anon_name=comment.author_name,
            anon_website=comment.author_website,
        )
        items.append(
            QueueItem(
                id=comment.id or 0,
                thread=comment.thread_id,
                parent_id=comment.parent_id,
                author=AuthorOut(**public),
                author_email_verified=None if author is None else author.email_verified,
                body=comment.body,
                html=comment.html,
                reason=comment.moderation_reason,
                status=comment.status,
                created_at=listing.iso(comment.created_at),
            )
        )
    return QueueOut(status=status, total=moderation.queue_size(db, wanted), comments=items)


@router.post(
    "/comments/{comment_id}/{action}",
    response_model=ModeratedOut,
    responses=error_responses(401, 403, 404, 415, 422),
    openapi_extra=EDITOR,
)
def moderate_comment(
    request: Request,
    comment_id: CommentId,
    action: Action,
    db: SessionDep,
    _editor: Editor,
    threads: ThreadsDep,
    redis: RedisDep,
    settings: SettingsDep,
    _body: EmptyIn | None = None,
) -> ModeratedOut:
    """Approve, reject or mark a comment as spam. Role: editor."""
    comment = comment_changes.decide(
        db,
        redis,
        settings,
        threads=threads,
        comment_id=comment_id,
        status=_STATUS_FOR[action],
        commit=committer(request, db),
    )
    return ModeratedOut(id=comment_id, status=comment.status, deleted=comment.deleted)


@router.post(
    "/users/{user_id}/ban",
    response_model=BanOut,
    responses=error_responses(401, 403, 404, 415, 422),
    openapi_extra=EDITOR,
)
def ban_user(user_id: UserId, payload: BanIn, db: SessionDep, editor: Editor) -> BanOut:
    """Ban an account from commenting and liking for some days (0 lifts it). Role: editor."""
    user = moderation.ban(
        db, editor=editor, user_id=user_id, days=payload.days, reason=payload.reason
    )
    return BanOut(user_id=user_id, banned_until=listing.iso(user.banned_until))


@router.get(
    "/blocked-words",
    response_model=BlockedWordsIO,
    responses=error_responses(401, 403),
    openapi_extra=EDITOR,
)
def get_blocked_words(db: SessionDep, _editor: Editor) -> BlockedWordsIO:
    """The blocked-words list. Role: editor."""
    return BlockedWordsIO(words=moderation.blocked_words(db))


@router.put(
    "/blocked-words",
    response_model=BlockedWordsIO,
    responses=error_responses(401, 403, 415, 422),
    openapi_extra=EDITOR,
)
def put_blocked_words(payload: BlockedWordsIO, db: SessionDep, _editor: Editor) -> BlockedWordsIO:
    """Replace the blocked-words list; comments containing one wait in the queue. Role: editor."""
    return BlockedWordsIO(words=moderation.set_blocked_words(db, payload.words))
