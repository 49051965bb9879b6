"""The users page for admins (`/api/admin/ui/users`): search accounts and change roles.

Server-rendered plain forms sharing the inbox's look and navigation, until Studio
(issue 22) replaces it; without it a new user could only be made an author through the
JSON API. Every form carries the session's CSRF token (checked by the request guard
before any handler runs); every change goes through `users.set_role`, the service the
JSON route uses, so both faces keep the same rules (the last admin stays an admin).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from interactions_api.deps import OptionalUser, SessionDep, SettingsDep
from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.common import DbId
from interactions_api.models.user import Role, User
from interactions_api.pages import ADMIN, need_role, render
from interactions_api.services import users
from interactions_api.services.cpu import off_loop

router = APIRouter(prefix="/api/admin/ui", include_in_schema=False)
USERS = f"{ADMIN}/users"
PAGE_SIZE = 50
Search = Annotated[str, Query(max_length=320, description="Part of an email or name")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _href(q: str, offset: int) -> str:
    params = {k: v for k, v in (("q", q), ("offset", offset)) if v}
    return f"{USERS}?{urlencode(params)}" if params else USERS


def _page(
    request: Request,
    db: Any,
    settings: Any,
    admin: User,
    *,
    q: str = "",
    offset: int = 0,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """The list of accounts matching `q`, one page of them from `offset`."""
    rows, total = users.list_users(db, query=q.strip(), offset=offset, limit=PAGE_SIZE)
    older = _href(q, offset + PAGE_SIZE) if offset + PAGE_SIZE < total else None
    newer = _href(q, max(offset - PAGE_SIZE, 0)) if offset > 0 else None
    return render(
        request, settings, admin, "admin/users.html", status,
        rows=rows, total=total, q=q, offset=offset, older=older, newer=newer,
        roles=[role.name for role in Role], back=_href(q, offset), **ctx,
    )  # fmt: skip


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    q: Search = "",
    offset: Offset = 0,
    changed: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> Response:
    """Accounts, newest first, with a search box and a role form per account."""
    admin = need_role(user, Role.admin)
    notice = ""
    if changed and (target := users.find(db, changed)) is not None:
        notice = f"{target.display_name} is now {Role(target.role).name}."
    return _page(request, db, settings, admin, q=q, offset=offset, notice=notice)


@router.post("/users/{user_id}/role", response_class=HTMLResponse)
async def change_role(
    request: Request,
    user_id: DbId,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Give one account a role, then back to the list (where the form was) with a notice."""
    admin = need_role(user, Role.admin)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    # the database writes block: they run off the event loop
    return await off_loop(_change_role, request, db, settings, admin, user_id, fields)


def _change_role(
    request: Request, db: Any, settings: Any, admin: User, user_id: int, form: dict[str, str]
) -> Response:
    role = form.get("role", "")
    try:
        if role not in Role.__members__:
            raise Unprocessable(
                f"Choose a role: {', '.join(Role.__members__)}.", code="invalid_role"
            )
        users.set_role(db, users.get(db, user_id), Role[role])
    except ApiError as exc:
        db.rollback()
        return _page(request, db, settings, admin, status=exc.status, error=exc.message)
    back = {k: form[k] for k in ("q", "offset") if form.get(k)}
    query = urlencode({**back, "changed": user_id})
    return RedirectResponse(f"{USERS}?{query}", status_code=303)
