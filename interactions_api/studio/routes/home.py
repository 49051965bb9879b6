"""Studio's home (a dashboard of what the account's role can do), its stylesheet and its
sign-in page (the form posts to the account pages' sign-in, which returns to `next`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from interactions_api.deps import OptionalUser, SettingsDep
from interactions_api.pages import safe_next, signin_page
from interactions_api.studio.deps import SignedIn
from interactions_api.studio.nav import STUDIO, groups_for
from interactions_api.studio.web import page

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parents[1] / "static"


@router.get(STUDIO)
def studio_root() -> RedirectResponse:
    """`/studio` is `/studio/`."""
    return RedirectResponse(f"{STUDIO}/", status_code=308)


@router.get(f"{STUDIO}/")
def home(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """The dashboard: the account's screens, grouped by job."""
    return page(
        request, settings, user, "studio/home.html", section="home", groups=groups_for(user)
    )


@router.get(f"{STUDIO}/static/studio.css")
def stylesheet() -> FileResponse:
    """Studio's one stylesheet (on top of the theme's)."""
    return FileResponse(
        STATIC / "studio.css", media_type="text/css", headers={"Cache-Control": "no-cache"}
    )


@router.get(f"{STUDIO}/signin")
def signin(request: Request, user: OptionalUser, settings: SettingsDep, next: str = "") -> Response:
    """The sign-in form; `next` is where to go afterwards (a path on this site only)."""
    target = safe_next(next)
    if user is not None:
        return RedirectResponse(target or f"{STUDIO}/", status_code=303)
    return signin_page(request, settings, status=200, next_path=target)
