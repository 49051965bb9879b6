"""Studio's site settings (admins: the ones kept in the database), the platform's
health (read-only), and the page an invitation's mailed link lands on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from interactions_api.config import Settings
from interactions_api.deps import OptionalUser, RedisDep, SessionDep, SettingsDep, get_engine
from interactions_api.errors import ApiError
from interactions_api.models.user import User
from interactions_api.routers._cookies import set_session_cookie
from interactions_api.security import presession_cookie_name
from interactions_api.services import health, invitations, sitesettings
from interactions_api.studio.deps import StudioAdmin
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.routes.bans import MODES
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
SETTINGS, HEALTH, INVITE = f"{STUDIO}/settings", f"{STUDIO}/health", invitations.INVITE_PAGE
FormText = Annotated[str, Form(max_length=500)]
SELF_APPROVAL = (
    ("auto", "Automatic: only while the site has a single editor"),
    ("yes", "Yes: editors may approve their own articles"),
    ("no", "No: another editor must approve"),
)


def _settings_page(
    request: Request, db: Any, settings: Settings, user: User, **ctx: Any
) -> Response:
    values = ctx.pop("values", None) or vars(sitesettings.current(db, settings))
    return page(
        request, settings, user, "studio/admin/settings.html", section="settings",
        values=values, modes=MODES, self_approval=SELF_APPROVAL, errors=ctx.pop("errors", {}),
        **ctx,
    )  # fmt: skip


@router.get(SETTINGS)
def site_settings(
    request: Request, user: StudioAdmin, db: SessionDep, settings: SettingsDep
) -> Response:
    """The site settings kept in the database, in one form."""
    return _settings_page(request, db, settings, user)


@router.post(SETTINGS)
def save_settings(
    request: Request, user: StudioAdmin, db: SessionDep, settings: SettingsDep,
    site_name: FormText = "", moderation: FormText = "", self_approval: FormText = "",
) -> Response:  # fmt: skip
    """Store the settings (all or nothing); in force at once."""
    values = {"site_name": site_name, "moderation": moderation, "self_approval": self_approval}
    try:
        sitesettings.update(db, settings, by=user, changes=values)
    except ApiError as exc:
        db.rollback()
        errors = {exc.extra.get("field", "site_name"): exc.message}
        return _settings_page(request, db, settings, user, values=values, errors=errors, status=422)
    return done(settings, SETTINGS, "Settings saved; they apply now.")


@router.get(HEALTH)
def platform_health(
    request: Request, user: StudioAdmin, db: SessionDep, settings: SettingsDep, redis: RedisDep
) -> Response:
    """Database, Redis, workers, the last build and publish (read-only)."""
    return page(
        request, settings, user, "studio/admin/health.html", section="health",
        probe=health.probe(get_engine(request), redis),
        publishing=health.publishing(db, settings.site_id),
    )  # fmt: skip


@router.get(INVITE)
def invitation(
    request: Request, db: SessionDep, settings: SettingsDep, user: OptionalUser, token: str = ""
) -> Response:
    """Where an invitation's link lands: a form to choose a password, or why it cannot."""
    state, invited = invitations.link_state(db, settings, token[:2000])
    return page(
        request, settings, user, "studio/admin/invite.html", status=200 if state == "ok" else 400,
        state=state, invited=invited, token=token, errors={},
    )  # fmt: skip


@router.post(INVITE)
def accept_invitation(
    request: Request, db: SessionDep, settings: SettingsDep, user: OptionalUser,
    token: FormText = "", password: FormText = "",
) -> Response:  # fmt: skip
    """Open the invited account with the chosen password and sign it in."""
    try:
        invited, session = invitations.accept(db, settings, token=token, password=password)
    except ApiError as exc:
        db.rollback()
        state, pending = invitations.link_state(db, settings, token)
        return page(
            request, settings, user, "studio/admin/invite.html", status=exc.status,
            state=state, invited=pending, token=token, errors={"password": exc.message},
        )  # fmt: skip
    response = done(
        settings, f"{STUDIO}/", f"Welcome, {invited.display_name}: your account is ready."
    )
    set_session_cookie(response, settings, session)
    response.delete_cookie(presession_cookie_name(settings.cookie_secure), path="/")
    return response
