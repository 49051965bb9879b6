"""Profiles and personal API tokens: `/api/me/profile`, `/api/users/{id}`, `/api/me/tokens`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from interactions_api.deps import CurrentUser, RedisDep, SessionDep, SettingsDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.common import DbId, StrictBody
from interactions_api.models.user import ApiToken, MeOut, PublicProfileOut
from interactions_api.services import account, profiles, users

router = APIRouter(prefix="/api", tags=["users"], dependencies=[Depends(no_store)])

Tag = Annotated[str, Field(max_length=1000)]


class ProfileIn(StrictBody):
    """Fields to change; absent fields stay as they are."""

    display_name: Annotated[str | None, Field(max_length=1000)] = None
    bio: Annotated[str | None, Field(max_length=10_000)] = None
    website: Annotated[str | None, Field(max_length=2000)] = None
    expertise: Annotated[
        list[Annotated[str, Field(max_length=1000)]] | None, Field(max_length=100)
    ] = None


class TokenCreateIn(StrictBody):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[
        int | None,
        Field(description="7, 30, 90 or 365; null or absent: valid until revoked."),
    ] = None


class TokenOut(BaseModel):
    """A token as listed: never its value."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    expired: bool

    @classmethod
    def of(cls, row: ApiToken) -> TokenOut:
        """The listing shape of a token row."""
        assert row.id is not None
        return cls(
            id=row.id, name=row.name, created_at=row.created_at, last_used_at=row.last_used_at,
            expires_at=row.expires_at, expired=account.token_expired(row),
        )  # fmt: skip


class NewTokenOut(TokenOut):
    """A just-created token: the value is shown this once."""

    token: str


class TokensOut(BaseModel):
    tokens: list[TokenOut]


@router.get("/me/profile", response_model=MeOut, responses=error_responses(401))
def get_profile(user: CurrentUser) -> MeOut:
    """The caller's own profile. Any signed-in user."""
    return MeOut.of(user)


@router.patch("/me/profile", response_model=MeOut, responses=error_responses(401, 403, 415, 422))
def patch_profile(
    body: ProfileIn, user: CurrentUser, db: SessionDep, settings: SettingsDep, redis: RedisDep
) -> MeOut:
    """Change display name, bio, website or expertise tags. Any signed-in user.

    For someone who has published, a byline change republishes their author page."""
    before = profiles.byline(user)
    users.update_profile(
        db,
        user,
        display_name=body.display_name,
        bio=body.bio,
        website=body.website,
        expertise=body.expertise,
    )
    profiles.publish_if_owed(db, settings, redis, user, before)
    return MeOut.of(user)


@router.get(
    "/users/{user_id}", response_model=PublicProfileOut, responses=error_responses(404, 422)
)
def public_profile(user_id: DbId, db: SessionDep) -> PublicProfileOut:
    """Anyone's public profile (never the email). Public."""
    return PublicProfileOut.of(users.get(db, user_id))


@router.get("/me/tokens", response_model=TokensOut, responses=error_responses(401))
def list_tokens(user: CurrentUser, db: SessionDep) -> TokensOut:
    """The caller's personal API tokens (names and dates only). Any signed-in user."""
    return TokensOut(tokens=[TokenOut.of(r) for r in account.list_tokens(db, user)])


@router.post(
    "/me/tokens",
    status_code=201,
    response_model=NewTokenOut,
    responses=error_responses(401, 403, 409, 415, 422),
)
def create_token(body: TokenCreateIn, user: CurrentUser, db: SessionDep) -> NewTokenOut:
    """Create a token for scripts (`Authorization: Bearer`); its value is shown once."""
    row, token = account.create_token(db, user, name=body.name, days=body.expires_in_days)
    return NewTokenOut(**TokenOut.of(row).model_dump(), token=token)


@router.delete(
    "/me/tokens/{token_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 415, 422),
)
def revoke_token(token_id: DbId, user: CurrentUser, db: SessionDep) -> Response:
    """Revoke one of the caller's tokens; it stops working at once."""
    account.revoke_token(db, user, token_id)
    return Response(status_code=204)
