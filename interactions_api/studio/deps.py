"""Who may open a Studio page: `SignedIn`, `StudioAuthor`, `StudioEditor`, `StudioAdmin`.

Signed out, the error handler answers a redirect to Studio's sign-in page, which returns
to the page afterwards; signed in without the role (or suspended), a Studio page saying
so with the nav of what the account may open. Never JSON: these guard HTML pages only
(the JSON API keeps `interactions_api.deps.Author` and friends).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from interactions_api.deps import OptionalUser, is_banned
from interactions_api.errors import Forbidden
from interactions_api.models.user import Role, User
from interactions_api.pages import need_role


def studio_user(role: Role) -> Callable[[Request, User | None], Awaitable[User]]:
    """Dependency factory: the signed-in user holding `role` (and not suspended, for any
    role above reader: a suspended reader may still manage their own account)."""

    async def _check(request: Request, user: OptionalUser) -> User:
        request.state.user = _snapshot(user)  # the error page shows this account's nav
        checked = need_role(user, role)  # signed out: 401 (-> sign-in); too low: 403
        if role > Role.reader and is_banned(checked):
            raise Forbidden(
                "Your account is suspended, so this page is closed to it for now.", code="banned"
            )
        return checked

    return _check


def _snapshot(user: User | None) -> User | None:
    # A copy bound to no database session: an error page is rendered after the request's
    # session rolled back and closed, when the loaded account can no longer be read.
    if user is None:
        return None
    return User(id=user.id, email=user.email, display_name=user.display_name, role=user.role)


SignedIn = Annotated[User, Depends(studio_user(Role.reader))]
StudioAuthor = Annotated[User, Depends(studio_user(Role.author))]
StudioEditor = Annotated[User, Depends(studio_user(Role.editor))]
StudioAdmin = Annotated[User, Depends(studio_user(Role.admin))]
