"""Comment routes: list a thread, per-user state, post, edit, delete, preview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interactions_api.db import reader
from interactions_api.deps import (
    ClientIP,
    GuardDep,
    OptionalUser,
    Reader,
    RedisDep,
    SessionDep,
    SettingsDep,
    get_engine,
)
from interactions_api.errors import error_responses
from interactions_api.models.comment_io import (
    ID_MAX,
    CommentBodyIn,
    CommentId,
    CommentOut,
    MyThreadOut,
    NewCommentIn,
    PreviewOut,
    ThreadOut,
)
from interactions_api.routers._cache import committer, response_cache
from interactions_api.routers._interactions import (
    NO_STORE,
    ThreadsDep,
    cacheable_json,
    json_answer,
    role_doc,
)
from interactions_api.services import comment_changes, comments, likes, listing, markup, users

router = APIRouter(prefix="/api", tags=["comments"])

ThreadId = Path(max_length=200, description="The article's thread id (from the manifest).")
LISTING_S_MAXAGE = 5  # the CDN may serve a thread this many seconds old


@router.get(
    "/threads/{thread_id}/comments",
    response_model=ThreadOut,
    responses={304: {"description": "Not modified (If-None-Match)"}, **error_responses(404, 422)},
    openapi_extra=role_doc("public"),
)
async def list_comments(
    request: Request,
    threads: ThreadsDep,
    thread_id: str = ThreadId,
    since: int = Query(0, ge=0, le=ID_MAX, description="Only comments with a larger id."),
) -> Response:
    """A thread's approved comments, oldest first. Public and cacheable (ETag, s-maxage)."""
    # The hot path: async, so a cached answer costs no thread hop; only a miss queries.
    threads.require(thread_id)
    engine = get_engine(request)
    body = await response_cache(request).get_or_render(
        ("listing", thread_id, str(since)),
        lambda: run_in_threadpool(_render_listing, engine, thread_id, since),
    )
    return cacheable_json(request, body, s_maxage=LISTING_S_MAXAGE)


def _render_listing(engine: Engine, thread_id: str, since: int) -> bytes:
    with Session(reader(engine)) as db:
        return listing.thread_listing_json(db, thread_id, since=since)


@router.get(
    "/threads/{thread_id}/me",
    response_model=MyThreadOut,
    responses=error_responses(401, 404, 422),
    openapi_extra=role_doc("public"),
)
def my_thread_state(
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    user: OptionalUser,
    thread_id: str = ThreadId,
) -> dict[str, Any]:
    """The caller's likes, bookmark, pending and editable comments. Never cached."""
    threads.require(thread_id)
    response.headers.update(NO_STORE)
    return listing.my_state(db, settings, user, thread_id)


@router.post(
    "/threads/{thread_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=error_responses(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=role_doc("reader (or anyone when QUIRE_ANONYMOUS_COMMENTS is on)"),
)
def post_comment(
    request: Request,
    payload: NewCommentIn,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: OptionalUser,
    redis: RedisDep,
    thread_id: str = ThreadId,
) -> Response:
    """Post a comment or reply. Role: reader; anyone if anonymous comments are on."""
    thread = threads.require(thread_id)
    guard.comment(user=user, address=address).enforce()
    new = comments.NewComment(
        body=payload.body,
        parent_id=payload.parent_id,
        name=payload.name,
        website=payload.website,
        hp=payload.hp,
        elapsed_ms=payload.elapsed_ms,
        notify_replies=payload.notify_replies,
    )
    comment = comment_changes.post(
        db,
        redis,
        settings,
        user=user,
        thread=thread,
        thread_id=thread_id,
        new=new,
        commit=committer(request, db),
    )
    return json_answer(listing.comment_out(comment, user, 0), status_code=201)


@router.patch(
    "/comments/{comment_id}",
    response_model=CommentOut,
    responses=error_responses(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=role_doc("reader (own comment, within the edit window) or editor"),
)
def edit_comment(
    request: Request,
    comment_id: CommentId,
    payload: CommentBodyIn,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    redis: RedisDep,
) -> dict[str, Any]:
    """Change a comment's text. Role: its author within the edit window, or an editor."""
    guard.comment(user=user, address=address).enforce()
    comment = comment_changes.edit(
        db,
        redis,
        settings,
        user=user,
        comment_id=comment_id,
        body=payload.body,
        commit=committer(request, db),
    )
    author = user if comment.author_id == user.id else users.find(db, comment.author_id)
    return listing.comment_out(comment, author, likes.comment_likes(db, comment_id))


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 415),
    openapi_extra=role_doc("reader (own comment, within the edit window) or editor"),
)
def delete_comment(
    request: Request,
    comment_id: CommentId,
    db: SessionDep,
    settings: SettingsDep,
    user: Reader,
    redis: RedisDep,
) -> Response:
    """Delete a comment (a placeholder stays if it has replies). Role: author or editor."""
    comment_changes.remove(
        db, redis, settings, user=user, comment_id=comment_id, commit=committer(request, db)
    )
    return Response(status_code=204)


@router.post(
    "/comments/preview",
    response_model=PreviewOut,
    responses=error_responses(413, 415, 422, 429),
    openapi_extra=role_doc("public"),
)
def preview_comment(
    payload: CommentBodyIn,
    settings: SettingsDep,
    guard: GuardDep,
    address: ClientIP,
) -> PreviewOut:
    """Render a comment body exactly as it would be stored. Public, rate-limited."""
    guard.comment_preview(address=address).enforce()
    body = comments.check_body(settings, payload.body)
    return PreviewOut(html=markup.render(body))
