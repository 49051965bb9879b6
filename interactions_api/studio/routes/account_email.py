"""Studio's account pages, part 4: changing the email address, and the page behind the
confirmation link mailed to the new address (`services.emailchange` holds the rules)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interactions_api.deps import AuthContext, OptionalUser, SessionDep, SettingsDep
from interactions_api.errors import ApiError
from interactions_api.services import emailchange
from interactions_api.services.cpu import off_loop
from interactions_api.studio.deps import SignedIn
from interactions_api.studio.forms import form_fields
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
EMAIL = f"{STUDIO}/account/email"
LINK_STATUS = {"ok": 200, "used": 200, "expired": 410, "invalid": 400}


@router.get(EMAIL)
def email_form(request: Request, user: SignedIn, settings: SettingsDep) -> Response:
    """The current address and a form for a new one."""
    return page(
        request, settings, user, "studio/account/email.html", section="account", tab="email",
        errors={}, values={"email": ""},
    )  # fmt: skip


@router.post(EMAIL)
async def email_change(
    request: Request, user: SignedIn, db: SessionDep, ctx: AuthContext
) -> Response:
    """Mail a confirmation link to the new address; nothing changes until it is opened."""
    values = await form_fields(request, "email", "password", limit=4096)
    try:  # argon2: off the event loop
        sent_to = await off_loop(
            emailchange.request_change, db, ctx, user,
            new_email=values["email"], password=values["password"],
        )  # fmt: skip
    except ApiError as exc:
        db.rollback()
        field = "password" if exc.code in ("invalid_credentials", "rate_limited") else "email"
        response = page(
            request, ctx.settings, user, "studio/account/email.html", section="account",
            tab="email", errors={field: exc.message}, values={"email": values["email"]},
            status=exc.status,
        )  # fmt: skip
        response.headers.update(exc.headers)
        return response
    message = f"Check the mail at {sent_to}: open the link there to use it for your account."
    return done(ctx.settings, EMAIL, message, kind="info")


@router.get(f"{EMAIL}/confirm")
def email_confirm(
    request: Request, user: OptionalUser, db: SessionDep, ctx: AuthContext,
    token: Annotated[str, Query(max_length=4096)] = "",
) -> Response:  # fmt: skip
    """The mailed link: opening it moves the account to the new address (once)."""
    # A GET that writes, as the verification link does: the mail says "open this link".
    state = emailchange.confirm_link(db, ctx, token)
    if state == "ok":
        db.commit()
    return page(
        request, ctx.settings, user, "studio/account/email_confirm.html", section="account",
        state=state, status=LINK_STATUS[state],
    )  # fmt: skip
