"""Like routes: idempotent PUT (like) and DELETE (unlike) on articles and comments."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from interactions_api.db import reading
from interactions_api.deps import ClientIP, GuardDep, Reader, SessionDep
from interactions_api.errors import error_responses
from interactions_api.models.comment_io import CommentId, EmptyIn, LikeOut
from interactions_api.routers._cache import commit_and_invalidate
from interactions_api.routers._interactions import ThreadsDep, json_answer, role_doc
from interactions_api.services import likes

router = APIRouter(prefix="/api", tags=["likes"])

ThreadId = Path(max_length=200, description="The article's thread id (from the manifest).")
ERRORS = error_responses(401, 403, 404, 415, 422, 429)


def _thread_like(
    request: Request,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    thread_id: str,
    liked: bool,
) -> Response:
    threads.require(thread_id)
    guard.like(user=user, address=address).enforce()
    count = likes.set_thread_like(db, user=user, thread_id=thread_id, liked=liked)
    commit_and_invalidate(request, db, thread_id)
    return json_answer({"liked": liked, "likes": count})


@router.put(
    "/threads/{thread_id}/like",
    response_model=LikeOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def like_thread(
    request: Request,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
    thread_id: str = ThreadId,
) -> Response:
    """Like an article (idempotent). Role: reader."""
    return _thread_like(request, db, threads, guard, address, user, thread_id, True)


@router.delete(
    "/threads/{thread_id}/like",
    response_model=LikeOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def unlike_thread(
    request: Request,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
    thread_id: str = ThreadId,
) -> Response:
    """Take back a like on an article (idempotent). Role: reader."""
    return _thread_like(request, db, threads, guard, address, user, thread_id, False)


def _comment_like(
    request: Request,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    comment_id: CommentId,
    liked: bool,
) -> Response:
    with reading(db):  # the write transaction starts only at the like itself
        comment = likes.likeable_comment(db, comment_id)
    threads.require(comment.thread_id)
    guard.like(user=user, address=address).enforce()
    count = likes.set_comment_like(db, user=user, comment=comment, liked=liked)
    commit_and_invalidate(request, db, comment.thread_id)
    return json_answer({"liked": liked, "likes": count})


@router.put(
    "/comments/{comment_id}/like",
    response_model=LikeOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def like_comment(
    request: Request,
    comment_id: CommentId,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
) -> Response:
    """Like a comment (idempotent). Role: reader."""
    return _comment_like(request, db, threads, guard, address, user, comment_id, True)


@router.delete(
    "/comments/{comment_id}/like",
    response_model=LikeOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def unlike_comment(
    request: Request,
    comment_id: CommentId,
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
) -> Response:
    """Take back a like on a comment (idempotent). Role: reader."""
    return _comment_like(request, db, threads, guard, address, user, comment_id, False)
