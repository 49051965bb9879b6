"""The old inbox pages (`/api/inbox/ui/`) moved to Studio: their addresses, in bookmarks
and in mails sent before, lead to the Studio screen that does the same job.

Signing in and out at `/api/inbox/ui/signin|signout` stays with routers/account_pages.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from interactions_api.models.inbox import Status
from interactions_api.pages import INBOX
from interactions_api.studio.nav import STUDIO

router = APIRouter(prefix=INBOX, include_in_schema=False)


def _moved(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=301)


@router.get("/")
def home() -> RedirectResponse:
    """The author's submissions."""
    return _moved(f"{STUDIO}/submissions")


@router.get("/new")
def new() -> RedirectResponse:
    """The write screen."""
    return _moved(f"{STUDIO}/write")


@router.get("/queue")
def queue(status: str = "in_review") -> RedirectResponse:
    """The review queue, with the same status filter."""
    kept = status if status in Status.__members__ else "all"
    return _moved(f"{STUDIO}/review?{urlencode({'status': kept})}")


@router.get("/{submission_id}")
def submission(submission_id: int) -> RedirectResponse:
    """A submission: Studio opens it for its author or for an editor."""
    return _moved(f"{STUDIO}/submissions/{submission_id}")


@router.get("/{submission_id}/edit")
def edit(submission_id: int) -> RedirectResponse:
    """The edit form."""
    return _moved(f"{STUDIO}/write/{submission_id}")
