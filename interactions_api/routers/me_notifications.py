"""The caller's mail preferences: `/api/me/notifications`."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from interactions_api.deps import CurrentUser, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.common import StrictBody
from interactions_api.models.user import User
from interactions_api.services import account

router = APIRouter(prefix="/api/me", tags=["users"], dependencies=[Depends(no_store)])


class NotificationsOut(BaseModel):
    replies: bool = Field(description="Mail me replies to my comments (those that asked for it).")
    review: bool = Field(description="Editors: mail me each new submission to review.")

    @classmethod
    def of(cls, user: User) -> NotificationsOut:
        """The preferences of `user`."""
        return cls(replies=user.mail_replies, review=user.mail_review)


class NotificationsIn(StrictBody):
    """Switches to change; absent ones stay as they are."""

    replies: bool | None = None
    review: bool | None = None


@router.get("/notifications", response_model=NotificationsOut, responses=error_responses(401))
def get_notifications(user: CurrentUser) -> NotificationsOut:
    """Which mails the caller gets. Any signed-in user."""
    return NotificationsOut.of(user)


@router.put(
    "/notifications",
    response_model=NotificationsOut,
    responses=error_responses(401, 403, 415, 422),
)
def put_notifications(body: NotificationsIn, user: CurrentUser, db: SessionDep) -> NotificationsOut:
    """Turn mails on or off. Any signed-in user."""
    account.set_mail_preferences(db, user, replies=body.replies, review=body.review)
    return NotificationsOut.of(user)
