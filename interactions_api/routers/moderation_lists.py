"""More moderation routes (editors), the ones Studio's screens use: bulk decisions, a
commenter's history, the bans in force and the moderation mode."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from interactions_api.deps import Editor, RedisDep, SessionDep, SettingsDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.comment import CommentStatus
from interactions_api.models.comment_io import UserId
from interactions_api.models.moderation_io import (
    BanEntryOut,
    BansOut,
    BulkIn,
    BulkOut,
    HistoryComment,
    HistoryOut,
    ModeIO,
)
from interactions_api.routers._cache import committer
from interactions_api.routers._interactions import ThreadsDep, role_doc
from interactions_api.services import comment_changes, moderation_lists, sitesettings

router = APIRouter(prefix="/api/moderation", tags=["moderation"], dependencies=[Depends(no_store)])
EDITOR = role_doc("editor")
STATUS_FOR = {
    "approve": CommentStatus.approved,
    "reject": CommentStatus.rejected,
    "spam": CommentStatus.spam,
}


@router.post(
    "/comments/bulk",
    response_model=BulkOut,
    responses=error_responses(401, 403, 415, 422),
    openapi_extra=EDITOR,
)
def moderate_many(
    request: Request,
    payload: BulkIn,
    db: SessionDep,
    _editor: Editor,
    threads: ThreadsDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> BulkOut:
    """Approve, reject or mark as spam several comments at once; the baked pages follow
    with one coalesced re-publish. Role: editor."""
    status = STATUS_FOR[payload.action]
    decided = comment_changes.decide_many(
        db, redis, settings, threads=threads, comment_ids=payload.ids, status=status,
        commit=committer(request, db),
    )  # fmt: skip
    return BulkOut(decided=decided, status=status.value)


@router.get(
    "/users/{user_id}/comments",
    response_model=HistoryOut,
    responses=error_responses(401, 403, 404, 422),
    openapi_extra=EDITOR,
)
def commenter_history(user_id: UserId, db: SessionDep, _editor: Editor) -> HistoryOut:
    """An account's comments (newest first, every status) and its ban state. Role: editor."""
    found = moderation_lists.history(db, user_id)
    return HistoryOut(
        user_id=user_id,
        display_name=found.user.display_name,
        banned_until=found.user.banned_until,
        ban_reason=found.user.ban_reason,
        counts=found.counts,
        total=found.total,
        comments=[
            HistoryComment(
                id=c.id or 0,
                thread=c.thread_id,
                body=c.body,
                status=c.status,
                reason=c.moderation_reason,
                deleted=c.deleted,
                created_at=c.created_at,
            )
            for c in found.comments
        ],
    )


@router.get(
    "/bans", response_model=BansOut, responses=error_responses(401, 403), openapi_extra=EDITOR
)
def bans(db: SessionDep, _editor: Editor) -> BansOut:
    """Every account banned now, the ban ending soonest first. Role: editor."""
    return BansOut(
        bans=[
            BanEntryOut(
                user_id=b.user.id or 0,
                display_name=b.user.display_name,
                banned_until=b.until,
                reason=b.reason,
                banned_by=b.banned_by.display_name if b.banned_by else None,
                since=b.since,
            )
            for b in moderation_lists.active_bans(db)
        ]
    )


@router.get(
    "/mode", response_model=ModeIO, responses=error_responses(401, 403), openapi_extra=EDITOR
)
def get_mode(db: SessionDep, settings: SettingsDep, _editor: Editor) -> ModeIO:
    """Which comments wait for an editor: none, first, links or all. Role: editor."""
    return ModeIO(mode=sitesettings.moderation_mode(db, settings))


@router.put(
    "/mode", response_model=ModeIO, responses=error_responses(401, 403, 415, 422),
    openapi_extra=EDITOR,
)  # fmt: skip
def put_mode(payload: ModeIO, db: SessionDep, settings: SettingsDep, editor: Editor) -> ModeIO:
    """Change the moderation mode (a site setting, in force at once). Role: editor."""
    changed = sitesettings.update(db, settings, by=editor, changes={"moderation": payload.mode})
    return ModeIO(mode=changed.moderation)
