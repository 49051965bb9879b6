"""The caller's avatar: `PUT /api/me/avatar` (multipart, field `avatar`), `DELETE`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Response, UploadFile
from pydantic import BaseModel

from interactions_api.deps import CurrentUser, RedisDep, SessionDep, SettingsDep, no_store
from interactions_api.errors import error_responses
from interactions_api.services import avatars, profiles
from interactions_api.services.bylines import avatar_url
from interactions_api.services.cpu import off_loop

router = APIRouter(prefix="/api/me", tags=["users"], dependencies=[Depends(no_store)])


class AvatarOut(BaseModel):
    """The avatar's URL on the site once published ('' for none)."""

    avatar: str


@router.put("/avatar", response_model=AvatarOut, responses=error_responses(401, 403, 413, 422))
async def put_avatar(
    user: CurrentUser, db: SessionDep, settings: SettingsDep, redis: RedisDep,
    avatar: UploadFile = File(description="A JPEG, PNG, GIF or WebP image."),
) -> AvatarOut:  # fmt: skip
    """Set the avatar (re-encoded, metadata dropped). Any signed-in user; someone who has
    published gets their author page republished."""
    before = profiles.byline(user)
    data = await avatar.read(settings.inbox_image_max_bytes + 1)
    await off_loop(
        avatars.set_avatar, db, settings, user, data, filename=avatar.filename or "avatar"
    )
    profiles.publish_if_owed(db, settings, redis, user, before)
    return AvatarOut(avatar=avatar_url(user))


@router.delete("/avatar", status_code=204, responses=error_responses(401, 403, 415))
def delete_avatar(
    user: CurrentUser, db: SessionDep, settings: SettingsDep, redis: RedisDep
) -> Response:
    """Remove the avatar. Any signed-in user."""
    before = profiles.byline(user)
    avatars.remove_avatar(db, user)
    profiles.publish_if_owed(db, settings, redis, user, before)
    return Response(status_code=204)
