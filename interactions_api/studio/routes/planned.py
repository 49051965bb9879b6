"""The Studio screens not built yet (nav.SCREENS): a page that says where the job is done
meanwhile. Mounted after every other Studio route, so a screen's own route shadows it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interactions_api.deps import SettingsDep
from interactions_api.errors import NotFound
from interactions_api.models.user import Role
from interactions_api.studio.deps import SignedIn, studio_user
from interactions_api.studio.nav import BY_KEY, STUDIO
from interactions_api.studio.web import page

router = APIRouter(include_in_schema=False)


@router.get(STUDIO + "/{key}")
async def planned(request: Request, key: str, user: SignedIn, settings: SettingsDep) -> Response:
    """A planned screen's placeholder, for the roles that will see it."""
    screen = BY_KEY.get(key)
    if screen is None:
        raise NotFound(f"Studio has no page at {STUDIO}/{key}.")
    if screen.role > Role.reader:
        await studio_user(screen.role)(request, user)
    return page(request, settings, user, "studio/planned.html", section=key, screen=screen)
