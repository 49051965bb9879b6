"""User and role management for admins (`/api/admin/*`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from interactions_api.deps import Admin, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.admin_io import AdminUserOut, AdminUsersOut, DisableIn, RoleIn
from interactions_api.models.common import DbId
from interactions_api.models.user import Role
from interactions_api.services import users

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(no_store)])


@router.get("/users", response_model=AdminUsersOut, responses=error_responses(401, 403, 422))
def list_users(
    _admin: Admin,
    db: SessionDep,
    q: Annotated[str, Query(max_length=320, description="Part of an email or name")] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AdminUsersOut:
    """Accounts, newest first, optionally filtered. Admin only."""
    rows, total = users.list_users(db, query=q, offset=offset, limit=limit)
    return AdminUsersOut(users=[AdminUserOut.of(u) for u in rows], total=total)


@router.patch(
    "/users/{user_id}",
    response_model=AdminUserOut,
    responses=error_responses(401, 403, 404, 409, 415, 422),
)
def set_role(user_id: DbId, body: RoleIn, _admin: Admin, db: SessionDep) -> AdminUserOut:
    """Give an account a role (reader, author, editor, admin). Admin only."""
    user = users.get(db, user_id)
    users.set_role(db, user, Role[body.role])
    return AdminUserOut.of(user)


@router.put(
    "/users/{user_id}/disabled",
    response_model=AdminUserOut,
    responses=error_responses(401, 403, 404, 409, 415, 422),
)
def set_disabled(user_id: DbId, body: DisableIn, admin: Admin, db: SessionDep) -> AdminUserOut:
    """Disable an account (signed out everywhere, its API tokens revoked, no sign-in) or
    enable it again. Admin only."""
    user = users.set_disabled(db, users.get(db, user_id), body.disabled, by=admin)
    return AdminUserOut.of(user)
