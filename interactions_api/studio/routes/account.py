"""Studio's account pages, part 1: the hub, the profile and the password.

Every rule is the services' (users.update_profile, auth.change_password), shared with
`/api/me/profile` and `/api/auth/password`; this module turns forms into calls and
refusals into messages next to the field they concern.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from interactions_api.deps import AuthContext, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError, NotFound
from interactions_api.models.user import Role
from interactions_api.routers._cookies import set_session_cookie
from interactions_api.services import account, auth, avatars, profiles, users
from interactions_api.services.cpu import off_loop
from interactions_api.studio.deps import SignedIn
from interactions_api.studio.forms import form_fields, try_each
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
ACCOUNT = f"{STUDIO}/account"
PROFILE_FIELDS = ("display_name", "bio", "website")


@router.get(ACCOUNT)
def hub(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """Everything about one's own account, one link each."""
    return page(request, settings, user, "studio/account/hub.html", section="account")


@router.get(f"{ACCOUNT}/profile")
def profile_form(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """The public profile: the byline and author page of what one writes."""
    values = {"display_name": user.display_name, "bio": user.bio, "website": user.website}
    return _profile(request, settings, user, values, {})


def _profile(
    request: Request, settings: SettingsDep, user: SignedIn, values: dict[str, str],
    errors: dict[str, str], status: int = 200,
) -> Response:  # fmt: skip
    return page(
        request, settings, user, "studio/account/profile.html", section="account",
        tab="profile", values=values, errors=errors, status=status,
    )  # fmt: skip


@router.post(f"{ACCOUNT}/profile")
async def profile_save(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep, redis: RedisDep
) -> Response:
    """Save the profile; each refused field says why, and nothing is saved then."""
    values = await form_fields(request, *PROFILE_FIELDS)
    before = profiles.byline(user)
    avatar_error = await _avatar_change(request, user, db, settings)
    errors = try_each(
        db,
        {
            "display_name": lambda: users.update_profile(
                db, user, display_name=values["display_name"]
            ),
            "bio": lambda: users.update_profile(db, user, bio=values["bio"]),
            "website": lambda: users.update_profile(db, user, website=values["website"]),
        },
    )
    if avatar_error:
        db.rollback()
        errors["avatar"] = avatar_error
    if errors:
        return _profile(request, settings, user, values, errors, status=422)
    message = "Your profile is saved."
    if profiles.publish_if_owed(db, settings, redis, user, before):
        message += " Your author page and bylines are being updated on the site."
    return done(settings, f"{ACCOUNT}/profile", message)


async def _avatar_change(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep
) -> str | None:
    """Apply the form's new avatar (or its removal); the refusal's message, if any."""
    form = await request.form()
    upload = form.get("avatar")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(settings.inbox_image_max_bytes + 1)
        try:  # decoding an image takes a while: off the event loop
            await off_loop(avatars.set_avatar, db, settings, user, data, filename=upload.filename)
        except ApiError as exc:
            return exc.message
    elif form.get("remove_avatar"):
        avatars.remove_avatar(db, user)
    return None


@router.get(f"{ACCOUNT}/avatar")
def own_avatar(user: SignedIn, settings: SettingsDep) -> Response:
    """The account's own avatar, as the site will show it."""
    path = avatars.avatar_file(settings, user)
    if path is None:
        raise NotFound("You have no avatar yet.", code="no_avatar")
    return FileResponse(path, headers={"Cache-Control": "private, no-cache"})


@router.get(f"{ACCOUNT}/password")
def password_form(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """Change the password (the current one is asked again)."""
    return page(
        request, settings, user, "studio/account/password.html", section="account",
        tab="password", errors={},
    )  # fmt: skip


@router.post(f"{ACCOUNT}/password")
async def password_save(
    request: Request, user: SignedIn, db: SessionDep, ctx: AuthContext
) -> Response:
    """Set the new password: every other session ends and every API token is revoked."""
    form = await form_fields(request, "current", "new", "confirm", limit=4096)
    errors: dict[str, str] = {}
    if not form["current"]:
        errors["current"] = "Enter your current password."
    if form["new"] != form["confirm"]:
        errors["confirm"] = "The two new passwords differ; type the same one twice."
    if not errors:
        try:  # argon2: off the event loop
            token = await off_loop(
                auth.change_password, db, ctx, user,
                current_password=form["current"], new_password=form["new"],
            )  # fmt: skip
        except ApiError as exc:
            db.rollback()
            current = exc.code in ("invalid_credentials", "rate_limited")
            errors["current" if current else "new"] = exc.message
    if errors:
        return page(
            request, ctx.settings, user, "studio/account/password.html", section="account",
            tab="password", errors=errors, status=422,
        )  # fmt: skip
    response = done(ctx.settings, f"{ACCOUNT}/password", auth.RENEWAL_NOTICE)
    set_session_cookie(response, ctx.settings, token)
    return response


@router.get(f"{ACCOUNT}/notifications")
def notifications_form(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """Which mails the account gets."""
    return page(
        request, settings, user, "studio/account/notifications.html", section="account",
        tab="notifications",
    )  # fmt: skip


@router.post(f"{ACCOUNT}/notifications")
async def notifications_save(
    request: Request, user: SignedIn, db: SessionDep, settings: SettingsDep
) -> Response:
    """Save the switches (an unticked box is absent from the form: off)."""
    form = await form_fields(request, "replies", "review")
    review = bool(form["review"]) if user.role >= Role.editor else None
    account.set_mail_preferences(db, user, replies=bool(form["replies"]), review=review)
    return done(settings, f"{ACCOUNT}/notifications", "Your mail preferences are saved.")
