"""The caller's own comments: `/api/me/comments` (newest first, paged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from interactions_api.deps import CurrentUser, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.routers._interactions import ThreadsDep
from interactions_api.services import mycomments

router = APIRouter(prefix="/api/me", tags=["comments"], dependencies=[Depends(no_store)])


class MyCommentOut(BaseModel):
    """One of the caller's comments; `title`/`url` are null once the article is unpublished."""

    id: int
    thread: str
    title: str | None
    url: str | None
    excerpt: str
    status: str
    created_at: str | None


class MyCommentsOut(BaseModel):
    comments: list[MyCommentOut]
    total: int
    page: int
    page_size: int


@router.get("/comments", response_model=MyCommentsOut, responses=error_responses(401, 422))
def my_comments(
    user: CurrentUser,
    db: SessionDep,
    threads: ThreadsDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> MyCommentsOut:
    """The caller's comments (removed ones left out), newest first. Any signed-in user."""
    items = mycomments.list_comments(db, user, threads.all(), page=page)
    return MyCommentsOut(
        comments=[MyCommentOut(**i) for i in items],
        total=mycomments.count(db, user),
        page=page,
        page_size=mycomments.PAGE_SIZE,
    )
