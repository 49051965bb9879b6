"""Bookmark routes: save an article to the reading list, remove it, list the list."""

from __future__ import annotations

from fastapi import APIRouter, Path, Response

from interactions_api.deps import ClientIP, GuardDep, Reader, SessionDep
from interactions_api.errors import error_responses
from interactions_api.models.comment_io import BookmarkItem, BookmarkOut, BookmarksOut, EmptyIn
from interactions_api.routers._interactions import NO_STORE, ThreadsDep, role_doc
from interactions_api.services import bookmarks

router = APIRouter(prefix="/api", tags=["bookmarks"])

ThreadId = Path(max_length=200, description="The article's thread id (from the manifest).")
ERRORS = error_responses(401, 403, 404, 415, 422, 429)


@router.put(
    "/threads/{thread_id}/bookmark",
    response_model=BookmarkOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def add_bookmark(
    db: SessionDep,
    threads: ThreadsDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
    thread_id: str = ThreadId,
) -> BookmarkOut:
    """Save an article to the reading list (idempotent). Role: reader."""
    threads.require(thread_id)
    guard.like(user=user, address=address).enforce()
    bookmarks.set_bookmark(db, user=user, thread_id=thread_id, bookmarked=True)
    return BookmarkOut(bookmarked=True)


@router.delete(
    "/threads/{thread_id}/bookmark",
    response_model=BookmarkOut,
    responses=ERRORS,
    openapi_extra=role_doc("reader"),
)
def remove_bookmark(
    db: SessionDep,
    guard: GuardDep,
    address: ClientIP,
    user: Reader,
    _body: EmptyIn | None = None,
    thread_id: str = ThreadId,
) -> BookmarkOut:
    """Remove an article from the reading list (idempotent; works for unpublished ones too)."""
    guard.like(user=user, address=address).enforce()
    bookmarks.set_bookmark(db, user=user, thread_id=thread_id, bookmarked=False)
    return BookmarkOut(bookmarked=False)


@router.get(
    "/me/bookmarks",
    response_model=BookmarksOut,
    responses=error_responses(401, 403),
    openapi_extra=role_doc("reader"),
)
def list_bookmarks(
    response: Response, db: SessionDep, threads: ThreadsDep, user: Reader
) -> BookmarksOut:
    """The caller's reading list, newest first, with titles and URLs. Role: reader."""
    response.headers.update(NO_STORE)
    items = bookmarks.reading_list(db, user=user, threads=threads.all())
    return BookmarksOut(bookmarks=[BookmarkItem(**item) for item in items])
