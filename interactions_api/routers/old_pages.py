"""The moderation and admin pages' old addresses lead to Studio, which replaced them
(bookmarks and links in old mails keep working)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from interactions_api.pages import ADMIN, MODERATION
from interactions_api.studio.nav import STUDIO

router = APIRouter(include_in_schema=False)


@router.get(f"{MODERATION}/")
@router.get(MODERATION)
def moderation_page() -> RedirectResponse:
    """The held comments are Studio's comment queue now."""
    return RedirectResponse(f"{STUDIO}/comments", status_code=308)


@router.get(f"{ADMIN}/users")
@router.get(f"{ADMIN}/")
def users_page(request: Request) -> RedirectResponse:
    """The users page is Studio's now (the search is kept)."""
    q = request.query_params.get("q", "")
    return RedirectResponse(
        f"{STUDIO}/users" + (f"?{urlencode({'q': q})}" if q else ""), status_code=308
    )
