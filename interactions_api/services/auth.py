"""Sign-up, sign-in, email verification, password reset and change.

No account enumeration: sign-up, sign-in and reset answer alike for known and unknown
addresses and do the same expensive work (one argon2 computation) either way. Failed
sign-ins are throttled per account and per client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.db import reading
from interactions_api.errors import ApiError, Forbidden, Unauthorized
from interactions_api.models.user import User
from interactions_api.services import emails, sessions, tokens, users
from interactions_api.services.guard import Guard
from interactions_api.services.passwords import (
    burn_verification,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)

# Where mailed links land: pages served by the API (the CDN routes /api/* to it).
VERIFY_PAGE = "/api/account/verify"
RESET_PAGE = "/api/account/reset"
# What a mailed link's page can say about it.
LinkState = Literal["ok", "used", "expired", "invalid"]
RENEWAL_NOTICE = (
    "Your password was changed. You were signed out everywhere else, and your personal "
    "API tokens were revoked: create new ones for your scripts."
)


@dataclass(frozen=True)
class Context:
    """What the auth flows need besides the database."""

    settings: Settings
    redis: Any
    ip: str
    guard: Guard


def sign_up(db: Session, ctx: Context, *, email: str, display_name: str, password: str) -> None:
    """Create an account and mail a verification link; an existing address gets a notice."""
    ctx.guard.sign_up(address=ctx.ip).enforce()
    email = emails.check_email(email)
    display_name = users.clean_display_name(display_name)
    check_password(password, email=email, display_name=display_name)
    existing = users.by_email(db, email)
    if existing is not None:
        hash_password(password)  # same cost as creating the account: no timing tell
        _mail(ctx, email, "Someone tried to sign up with your address", _EXISTS_TEXT)
        return
    try:
        with db.begin_nested():  # a savepoint: losing a race must not spoil the transaction
            user = users.create_user(db, email=email, display_name=display_name, password=password)
    except IntegrityError:
        # A concurrent sign-up took the address between our check and insert: answer as
        # for any taken address.
        _mail(ctx, email, "Someone tried to sign up with your address", _EXISTS_TEXT)
        return
    send_verification(ctx, user)


def send_verification(ctx: Context, user: User) -> None:
    """Mail `user` a link that proves they own their address."""
    token = tokens.issue(ctx.settings, user, "verify")
    link = f"{ctx.settings.base_url}{VERIFY_PAGE}?token={token}"
    body = _VERIFY_TEXT.format(link=link)
    _mail(ctx, user.email, "Confirm your email address", body)


def resend_verification_to(db: Session, ctx: Context, *, email: str) -> None:
    """Mail a new verification link to `email` if an unconfirmed account uses it.

    For a signed-out visitor whose link expired. Nothing is sent otherwise, and the
    caller answers the same either way (no account enumeration).
    """
    ctx.guard.mail_request("verify", address=ctx.ip).enforce()
    normal = emails.check_email(email, new=False)
    ctx.guard.mail_recipient("verify", email=normal).enforce()
    user = users.by_email(db, normal)
    if user is not None and not user.email_verified:
        send_verification(ctx, user)


def verify_email(db: Session, settings: Settings, token: str) -> User:
    """Mark the address of a verification token as confirmed."""
    user_id, claims = tokens.read(settings, token, "verify")
    user = db.get(User, user_id)
    if user is None or user.email != claims.get("email"):
        raise tokens.invalid()
    user.email_verified = True
    db.add(user)
    return user


def verify_link(db: Session, settings: Settings, token: str) -> LinkState:
    """Confirm the address of a mailed verification link, saying what became of it.

    "used" when the address is already confirmed (the link was opened before, perhaps
    by a mail scanner: harmless, the address is proven either way).
    """
    try:
        user_id, claims = tokens.read(settings, token, "verify")
    except ApiError:
        return "expired" if tokens.expired(settings, token, "verify") else "invalid"
    user = db.get(User, user_id)
    if user is None or user.email != claims.get("email"):
        return "invalid"
    if user.email_verified:
        return "used"
    user.email_verified = True
    db.add(user)
    return "ok"


def reset_link(db: Session, settings: Settings, token: str) -> LinkState:
    """Whether a mailed reset link can still set a password ("used" once it has)."""
    try:
        user_id, claims = tokens.read(settings, token, "reset")
    except ApiError:
        return "expired" if tokens.expired(settings, token, "reset") else "invalid"
    user = db.get(User, user_id)
    if user is None or user.email != claims.get("email"):
        return "invalid"
    # The token carries a fingerprint of the password it may replace: any change since
    # (this link or another) makes it spent.
    return "ok" if claims.get("pw") == tokens.password_fingerprint(user) else "used"


def sign_in(db: Session, ctx: Context, *, email: str, password: str) -> User:
    """The account for these credentials, or 401 `invalid_credentials` (429 when throttled)."""
    normal = emails.normalize_email(email)
    ctx.guard.sign_in(email=normal, address=ctx.ip).enforce()
    with reading(db):  # the password check below must not run inside the write lock
        user = users.by_email(db, normal)
    if user is None:
        burn_verification(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    if not ok or user is None:
        ctx.guard.sign_in_failed(email=normal, address=ctx.ip)
        raise Unauthorized("The email or password is wrong.", code="invalid_credentials")
    ctx.guard.sign_in_succeeded(email=normal)
    if user.disabled:  # said only to whoever knows the password
        raise Forbidden(
            "This account is disabled; ask an administrator to enable it.", code="account_disabled"
        )
    if needs_rehash(user.password_hash):
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        user.password_hash = hash_password(password)
        db.add(user)
    return user


def request_reset(db: Session, ctx: Context, *, email: str) -> None:
    """Mail a reset link (or, for an unknown address, a note saying there is no account)."""
    ctx.guard.mail_request("reset", address=ctx.ip).enforce()
    normal = emails.check_email(email, new=False)  # accounts made before the script rule
    ctx.guard.mail_recipient("reset", email=normal).enforce()
    user = users.by_email(db, normal)
    if user is None:
        _mail(ctx, normal, "Password reset requested", _NO_ACCOUNT_TEXT)
        return
    token = tokens.issue(ctx.settings, user, "reset")
    link = f"{ctx.settings.base_url}{RESET_PAGE}?token={token}"
    _mail(ctx, user.email, "Reset your password", _RESET_TEXT.format(link=link))


def reset_password(db: Session, settings: Settings, *, token: str, password: str) -> User:
    """Set a new password from a reset link; ends every session and revokes every API token.

    The link then stops working.
    """
    if reset_link(db, settings, token) != "ok":
        raise tokens.invalid()
    user_id, _claims = tokens.read(settings, token, "reset")
    user = db.get(User, user_id)
    assert user is not None  # reset_link found it
    check_password(password, email=user.email, display_name=user.display_name)
    _set_password(db, user, password)
    user.email_verified = True  # following the mailed link proves the address
    return user


def change_password(
    db: Session, ctx: Context, user: User, *, current_password: str, new_password: str
) -> str:
    """Change the password after checking the current one; returns a fresh session token.

    Every other session of the account ends and every personal API token is revoked, so
    a stolen session or token dies with the old password.
    """
    check_current_password(ctx, user, current_password)
    check_password(new_password, email=user.email, display_name=user.display_name)
    _set_password(db, user, new_password)
    return sessions.start_session(db, user)


def check_current_password(ctx: Context, user: User, password: str) -> None:
    """401 `invalid_credentials` unless `password` is the account's (throttled as sign-in
    failures are): asked again before a password or address change."""
    ctx.guard.sign_in(email=user.email).enforce()
    if not verify_password(user.password_hash, password):
        ctx.guard.sign_in_failed(email=user.email)
        raise Unauthorized("The current password is wrong.", code="invalid_credentials")


def _set_password(db: Session, user: User, password: str) -> None:
    # Whoever knew the old password may have made a token with it: a new password
    # ends every session and revokes every personal API token (RENEWAL_NOTICE says so).
    assert user.id is not None
    user.password_hash = hash_password(password)
    db.add(user)
    sessions.end_all_sessions(db, user.id)
    sessions.revoke_api_tokens(db, user.id)


def send_mail(ctx: Context, to: str, subject: str, body: str) -> None:
    """Queue a plain-text mail (spooled while Redis is away)."""
    _mail(ctx, to, subject, body)


def _mail(ctx: Context, to: str, subject: str, body: str) -> None:
    mail.queue_mail(ctx.redis, ctx.settings, to=to, subject=subject, body=body)


_VERIFY_TEXT = """Hello,

please confirm your email address by opening this link (valid for 48 hours):

{link}

If you did not sign up, ignore this mail.
"""

_EXISTS_TEXT = """Hello,

someone (perhaps you) tried to create an account with this address, but you already
have one. To get in, sign in, or ask for a password reset from the sign-in page.

If it was not you, you can ignore this mail; your account is unchanged.
"""

_RESET_TEXT = """Hello,

to choose a new password, open this link (valid for 30 minutes, usable once):

{link}

Choosing a new password signs you out everywhere and revokes your personal API
tokens; create new ones for your scripts afterwards.

If you did not ask for this, ignore this mail; your password is unchanged.
"""

_NO_ACCOUNT_TEXT = """Hello,

someone (perhaps you) asked to reset the password of an account with this address, but
there is no account with it. If you meant to sign up, do so from the site.

If it was not you, you can ignore this mail.
"""
