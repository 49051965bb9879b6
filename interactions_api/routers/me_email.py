"""Changing the caller's address: `/api/me/email` mails a link to the new address,
`/api/auth/email/confirm` (the link's token) moves the account to it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from interactions_api.deps import AuthContext, CurrentUser, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.common import StrictBody
from interactions_api.services import emailchange
from interactions_api.services.cpu import off_loop

router = APIRouter(prefix="/api", tags=["auth"], dependencies=[Depends(no_store)])


class EmailChangeIn(StrictBody):
    new_email: Annotated[str, Field(max_length=1000)]
    password: Annotated[str, Field(max_length=4096)]


class EmailChangeSentOut(BaseModel):
    """A link went to `email` (or, if another account has it, a notice did)."""

    status: Literal["sent"] = "sent"
    email: str


class EmailConfirmIn(StrictBody):
    token: Annotated[str, Field(max_length=4096)]


class EmailConfirmOut(BaseModel):
    """What became of the link: ok (moved), used (already there), expired or invalid."""

    state: Literal["ok", "used", "expired", "invalid"]


@router.post(
    "/me/email",
    status_code=202,
    response_model=EmailChangeSentOut,
    responses=error_responses(401, 403, 415, 422, 429),
)
async def request_email_change(
    body: EmailChangeIn, user: CurrentUser, db: SessionDep, ctx: AuthContext
) -> EmailChangeSentOut:
    """Mail a confirmation link to a new address (the password is asked again). Signed in."""
    email = await off_loop(
        emailchange.request_change, db, ctx, user, new_email=body.new_email, password=body.password
    )
    return EmailChangeSentOut(email=email)


@router.post(
    "/auth/email/confirm", response_model=EmailConfirmOut, responses=error_responses(415, 422)
)
def confirm_email_change(body: EmailConfirmIn, db: SessionDep, ctx: AuthContext) -> EmailConfirmOut:
    """Move the account to the address of a mailed link. Public: the token is the proof."""
    return EmailConfirmOut(state=emailchange.confirm_link(db, ctx, body.token))
