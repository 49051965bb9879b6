"""User and role management for admins (`/api/admin/*`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from interactions_api.deps import Admin, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.common import DbId, StrictBody
from interactions_api.models.moderation_io import DisableIn
from interactions_api.models.user import Role, RoleName, User
from interactions_api.services import users

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(no_store)])


class AdminUserOut(BaseModel):
    """An account as admins see it (with email, role and ban state)."""

    id: int
    email: str
    display_name: str
    role: RoleName
    email_verified: bool
    created_at: datetime
    banned_until: datetime | None
    disabled: bool

    @classmethod
    def of(cls, user: User) -> AdminUserOut:
        """The admin view of `user`."""
        assert user.id is not None
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=Role(user.role).name,
            email_verified=user.email_verified,
            created_at=user.created_at,
            banned_until=user.banned_until,
            disabled=user.disabled,
        )


class AdminUsersOut(BaseModel):
    users: list[AdminUserOut]
    total: int


class RoleIn(StrictBody):
    role: RoleName


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
