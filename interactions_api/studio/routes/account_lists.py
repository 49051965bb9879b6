"""Studio's account pages, part 3: the person's bookmarks and comments (read-only lists,
the same services as `/api/me/bookmarks` and `/api/me/comments`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interactions_api.deps import SessionDep, SettingsDep
from interactions_api.routers._interactions import ThreadsDep
from interactions_api.services import bookmarks, mycomments
from interactions_api.studio.deps import SignedIn
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import page

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {
    "approved": "Published",
    "pending": "Waiting for an editor",
    "rejected": "Not published",
    "spam": "Held as spam",
}


@router.get(f"{STUDIO}/account/bookmarks")
def bookmarks_page(request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep,
                   threads: ThreadsDep) -> Response:  # fmt: skip
    """The articles the person saved, newest first."""
    items = bookmarks.reading_list(db, user=user, threads=threads.all())
    return page(
        request, settings, user, "studio/account/bookmarks.html", section="account",
        tab="bookmarks", items=items,
    )  # fmt: skip


@router.get(f"{STUDIO}/account/comments")
def comments_page(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep, threads: ThreadsDep,
    p: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:  # fmt: skip
    """The person's comments, newest first, each linking to where it stands."""
    items = mycomments.list_comments(db, user, threads.all(), page=p)
    total = mycomments.count(db, user)
    pages = max(1, -(-total // mycomments.PAGE_SIZE))
    return page(
        request, settings, user, "studio/account/comments.html", section="account",
        tab="comments", items=items, total=total, p=p, pages=pages, labels=STATUS_LABELS,
    )  # fmt: skip
