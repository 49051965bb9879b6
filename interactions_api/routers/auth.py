"""Sign-up, sign-in/out, email verification, password reset and change (`/api/auth/*`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from interactions_api.deps import (
    AuthContext,
    CurrentUser,
    GuardDep,
    SessionDep,
    SettingsDep,
    no_store,
    session_cookie_name,
)
from interactions_api.errors import error_responses
from interactions_api.models.common import StrictBody
from interactions_api.models.user import MeOut
from interactions_api.routers._cookies import clear_session_cookie, set_session_cookie
from interactions_api.services import auth, sessions
from interactions_api.services.passwords import MAX_LENGTH

router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(no_store)])

# Bodies are bounded generously so the services can give the precise message
# (e.g. "longer than 1024 characters") instead of a generic validation error.
Password = Annotated[str, Field(max_length=MAX_LENGTH * 4)]
Email = Annotated[str, Field(max_length=1000)]


class SignUpIn(StrictBody):
    email: Email
    display_name: Annotated[str, Field(max_length=1000)]
    password: Password


class SignInIn(StrictBody):
    email: Email
    password: Password


class TokenIn(StrictBody):
    token: Annotated[str, Field(max_length=4096)]


class EmailIn(StrictBody):
    email: Email


class ResetIn(StrictBody):
    token: Annotated[str, Field(max_length=4096)]
    password: Password


class ChangePasswordIn(StrictBody):
    current_password: Password
    new_password: Password


class MeEnvelope(BaseModel):
    """`{"user": Me}`."""

    user: MeOut


class StatusOut(BaseModel):
    """A one-word outcome."""

    status: Literal["check_email", "verified"]


class PasswordChangedOut(BaseModel):
    """A new password is set; `message` says what else ended (sessions, API tokens)."""

    status: Literal["password_changed"] = "password_changed"
    message: str = auth.RENEWAL_NOTICE


@router.post(
    "/signup", status_code=202, response_model=StatusOut, responses=error_responses(415, 422, 429)
)
def signup(body: SignUpIn, db: SessionDep, ctx: AuthContext) -> StatusOut:
    """Create an account (or mail the owner if the address is taken). Public.

    The answer is the same whether or not the address already had an account.
    """
    auth.sign_up(
        db,
        ctx,
        email=body.email,
        display_name=body.display_name,
        password=body.password,
    )
    return StatusOut(status="check_email")


@router.post("/signin", response_model=MeEnvelope, responses=error_responses(401, 415, 422, 429))
def signin(
    body: SignInIn,
    request: Request,
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
    ctx: AuthContext,
) -> MeEnvelope:
    """Sign in with email and password; sets a new session cookie. Public."""
    user = auth.sign_in(db, ctx, email=body.email, password=body.password)
    # Rotation: whatever session this browser had (possibly planted) ends here.
    old = request.cookies.get(session_cookie_name(settings))
    if old:
        sessions.end_session(db, old)
    set_session_cookie(response, settings, sessions.start_session(db, user))
    return MeEnvelope(user=MeOut.of(user))


@router.post("/signout", status_code=204, responses=error_responses(403, 415))
def signout(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """End this browser's session and clear its cookie. Public (no-op when signed out)."""
    token = request.cookies.get(session_cookie_name(settings))
    if token:
        sessions.end_session(db, token)
    response = Response(status_code=204)
    clear_session_cookie(response, settings)
    return response


@router.get("/me", response_model=MeEnvelope, responses=error_responses(401))
def me(user: CurrentUser) -> MeEnvelope:
    """The signed-in caller, with the private fields. Any signed-in user."""
    return MeEnvelope(user=MeOut.of(user))


@router.post("/verify", response_model=StatusOut, responses=error_responses(400, 415, 422))
def verify(body: TokenIn, db: SessionDep, settings: SettingsDep) -> StatusOut:
    """Confirm an email address with the token from the verification mail. Public."""
    auth.verify_email(db, settings, body.token)
    return StatusOut(status="verified")


@router.post(
    "/resend-verification",
    status_code=202,
    response_model=StatusOut,
    responses=error_responses(401, 415, 429),
)
def resend_verification(user: CurrentUser, ctx: AuthContext, guard: GuardDep) -> StatusOut:
    """Mail the verification link again. Any signed-in user."""
    guard.verification_mail(user).enforce()
    if not user.email_verified:
        auth.send_verification(ctx, user)
    return StatusOut(status="check_email")


@router.post(
    "/reset-request",
    status_code=202,
    response_model=StatusOut,
    responses=error_responses(415, 422, 429),
)
def reset_request(body: EmailIn, db: SessionDep, ctx: AuthContext) -> StatusOut:
    """Mail a password-reset link. Public; same answer for known and unknown addresses."""
    auth.request_reset(db, ctx, email=body.email)
    return StatusOut(status="check_email")


@router.post("/reset", response_model=PasswordChangedOut, responses=error_responses(400, 415, 422))
def reset(body: ResetIn, db: SessionDep, settings: SettingsDep) -> PasswordChangedOut:
    """Set a new password with the token from the reset mail. Public.

    Ends every session and revokes every personal API token of the account.
    """
    auth.reset_password(db, settings, token=body.token, password=body.password)
    return PasswordChangedOut()


@router.post(
    "/password", response_model=PasswordChangedOut, responses=error_responses(401, 415, 422, 429)
)
def change_password(
    body: ChangePasswordIn,
    response: Response,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    ctx: AuthContext,
) -> PasswordChangedOut:
    """Change the password; this session gets a new cookie. Signed in.

    Every other session ends and every personal API token is revoked.
    """
    token = auth.change_password(
        db,
        ctx,
        user,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    set_session_cookie(response, settings, token)
    return PasswordChangedOut()
