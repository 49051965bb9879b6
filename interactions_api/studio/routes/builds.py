"""Editors' build history (`/studio/builds`): each build's status, duration, pages
changed and errors, and one build's log (`/studio/builds/<id>`). Reads only, through
services/publishing.py, the same the JSON API's `/api/inbox/builds` uses."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interactions_api.deps import SessionDep, SettingsDep
from interactions_api.services import publishing
from interactions_api.studio.deps import StudioEditor
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import page

router = APIRouter(include_in_schema=False)


@router.get(f"{STUDIO}/builds")
def builds(
    request: Request,
    user: StudioEditor,
    db: SessionDep,
    settings: SettingsDep,
    limit: int = Query(50, ge=1, le=200),
) -> Response:
    """The newest builds, newest first."""
    rows = publishing.recent_builds(db, limit)
    return page(request, settings, user, "studio/builds/list.html", section="builds", rows=rows)


@router.get(f"{STUDIO}/builds/{{build_id}}")
def build(
    request: Request, build_id: int, user: StudioEditor, db: SessionDep, settings: SettingsDep
) -> Response:
    """One build: what it did and its log."""
    row = publishing.build_record(db, build_id)
    return page(request, settings, user, "studio/builds/detail.html", section="builds", b=row)
