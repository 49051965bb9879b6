"""Changing the address of an account: asked with the password, proven by a link mailed
to the new address, told to the old one.

Nothing changes until the link is opened: the account keeps signing in with the old
address meanwhile. A new address that another account already uses gets a notice
instead of a link, and the answer to the asker is the same either way (no probing
which addresses have accounts).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.user import User
from interactions_api.services import emails, tokens, users
from interactions_api.services.auth import Context, LinkState, check_current_password
from interactions_api.services.auth import send_mail as _mail

CONFIRM_PAGE = "/studio/account/email/confirm"
_LINK_TEXT = """Hello {name},

to use this address for your account, open this link (valid for 24 hours):

{link}

Until you do, nothing changes. If you did not ask for this, ignore this message.
"""
_TAKEN_TEXT = """Hello,

someone asked to move their account to this address, but an account already uses it.
Nothing was changed. If it was you, sign in with this address instead.
"""
_CHANGED_TEXT = """Hello {name},

the email address of your account was changed to {new}. If you did not do this, reset
your password from the sign-in page at once and contact the site's editors.
"""


def request_change(db: Session, ctx: Context, user: User, *, new_email: str, password: str) -> str:
    """Mail a confirmation link to `new_email` after checking the password; returns the
    normalised address (the answer never says whether another account has it)."""
    normal = emails.check_email(new_email)
    if normal == user.email:
        raise Unprocessable("That is already your address.", code="same_email", field="email")
    check_current_password(ctx, user, password)
    ctx.guard.email_change(user).enforce()
    if users.by_email(db, normal) is not None:
        _mail(ctx, normal, "Someone tried to use your address", _TAKEN_TEXT)
        return normal
    token = tokens.issue(ctx.settings, user, "email", new=normal)
    link = f"{ctx.settings.base_url}{CONFIRM_PAGE}?token={token}"
    _mail(ctx, normal, "Confirm your new email address",
          _LINK_TEXT.format(name=user.display_name, link=link))  # fmt: skip
    return normal


def confirm_link(db: Session, ctx: Context, token: str) -> LinkState:
    """Move the account to the address of a mailed link, saying what became of it:
    "used" when it already has that address, "invalid" when the account's address
    changed since the link was sent, or another account took the new one meanwhile."""
    settings = ctx.settings
    try:
        user_id, claims = tokens.read(settings, token, "email")
    except ApiError:
        return "expired" if tokens.expired(settings, token, "email") else "invalid"
    user = db.get(User, user_id)
    new = str(claims.get("new", ""))
    if user is None or not new:
        return "invalid"
    if user.email == new:
        return "used"
    if user.email != claims.get("email") or users.by_email(db, new) is not None:
        return "invalid"
    old = user.email
    try:
        with db.begin_nested():  # another account may take the address this very moment
            user.email = new
            user.email_verified = True  # opening the link proves the new address
            db.add(user)
    except IntegrityError:
        return "invalid"
    _mail(ctx, old, "Your email address was changed",
          _CHANGED_TEXT.format(name=user.display_name, new=new))  # fmt: skip
    return "ok"
