"""Studio's users screen (admins): search accounts, invite someone by email, change a
role, disable or enable an account; through the services the JSON API uses."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from interactions_api.config import Settings
from interactions_api.deps import RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.common import DbId
from interactions_api.models.user import Role, User
from interactions_api.services import invitations, users
from interactions_api.studio.deps import StudioAdmin
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
USERS = f"{STUDIO}/users"
PAGE_SIZE = 50
ROLES = [(r.name, r.name.capitalize()) for r in Role]
FormText = Annotated[str, Form(max_length=500)]
Search = Annotated[str, Query(max_length=320)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _href(q: str, offset: int) -> str:
    params = {k: v for k, v in (("q", q), ("offset", offset)) if v}
    return f"{USERS}?{urlencode(params)}" if params else USERS


def _users_page(
    request: Request, db: Any, settings: Settings, admin: User, *, q: str = "", offset: int = 0,
    **ctx: Any,
) -> Response:  # fmt: skip
    rows, total = users.list_users(db, query=q.strip(), offset=offset, limit=PAGE_SIZE)
    return page(
        request, settings, admin, "studio/admin/users.html", section="users",
        rows=rows, total=total, q=q, offset=offset, roles=ROLES, back=_href(q, offset),
        older=_href(q, offset + PAGE_SIZE) if offset + PAGE_SIZE < total else None,
        newer=_href(q, max(offset - PAGE_SIZE, 0)) if offset > 0 else None,
        invite=ctx.pop("invite", {"role": "author"}), errors=ctx.pop("errors", {}), **ctx,
    )  # fmt: skip


@router.get(USERS)
def users_list(
    request: Request, user: StudioAdmin, db: SessionDep, settings: SettingsDep,
    q: Search = "", offset: Offset = 0,
) -> Response:  # fmt: skip
    """Accounts, newest first, with a search box, a role form and disable/enable each."""
    return _users_page(request, db, settings, user, q=q, offset=offset)


@router.post(f"{USERS}/invite")
def invite(
    request: Request, user: StudioAdmin, db: SessionDep, settings: SettingsDep, redis: RedisDep,
    email: FormText = "", display_name: FormText = "", role: FormText = "author",
) -> Response:  # fmt: skip
    """Invite someone by email: the mail's link lets them choose a password."""
    values = {"email": email, "display_name": display_name, "role": role}
    errors: dict[str, str] = {}
    if role not in Role.__members__:
        errors["role"] = "Choose a role: reader, author, editor or admin."
    if not errors:
        try:
            invitations.invite(
                db, redis, settings, by=user, email=email, display_name=display_name,
                role=Role[role], commit=db.commit,
            )  # fmt: skip
        except ApiError as exc:
            db.rollback()
            field = "display_name" if exc.code == "invalid_display_name" else "email"
            errors[field] = exc.message
    if errors:
        return _users_page(request, db, settings, user, invite=values, errors=errors, status=422)
    return done(settings, USERS, f"Invitation sent to {email.strip()}.")


@router.post(f"{USERS}/{{user_id}}/role")
def change_role(
    request: Request, user_id: DbId, user: StudioAdmin, db: SessionDep, settings: SettingsDep,
    role: FormText = "", back: FormText = "",
) -> Response:  # fmt: skip
    """Give one account a role, then back to the list where the form was."""
    try:
        if role not in Role.__members__:
            raise Unprocessable("Choose a role: reader, author, editor or admin.")
        target = users.set_role(db, users.get(db, user_id), Role[role])
    except ApiError as exc:
        db.rollback()
        return _users_page(request, db, settings, user, status=exc.status, error=exc.message)
    return done(settings, back or USERS, f"{target.display_name} is now {role}.")


@router.post(f"{USERS}/{{user_id}}/disabled")
def set_disabled(
    request: Request, user_id: DbId, user: StudioAdmin, db: SessionDep, settings: SettingsDep,
    disabled: FormText = "", back: FormText = "",
) -> Response:  # fmt: skip
    """Disable an account (signed out everywhere) or enable it again."""
    try:
        target = users.set_disabled(db, users.get(db, user_id), disabled == "yes", by=user)
    except ApiError as exc:
        db.rollback()
        return _users_page(request, db, settings, user, status=exc.status, error=exc.message)
    state = "disabled: it is signed out everywhere" if target.disabled else "enabled again"
    return done(settings, back or USERS, f"{target.display_name}'s account is {state}.")
