"""Invitations: an admin invites someone by email; the mailed link lands on a page where
the invitee chooses a password, which opens the account with the role given.

The account exists from the invitation on (so its role, name and address are set by the
admin) but has no password, so nobody can sign in to it until the link is used. The link
carries a fingerprint of the (empty) password: once a password is set it is spent, and a
new invitation to the same pending address makes the earlier links work still (until
they expire) but never after the account is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.errors import ApiError, Conflict
from interactions_api.models.user import Role, User
from interactions_api.services import emails, sessions, tokens, users
from interactions_api.services.auth import LinkState
from interactions_api.services.passwords import check_password, hash_password

INVITE_PAGE = "/studio/invite"


def invite(
    db: Session,
    redis: Any,
    settings: Settings,
    *,
    by: User,
    email: str,
    display_name: str,
    role: Role,
    commit: Callable[[], None],
) -> User:
    """Make the account (or find the one already invited) and mail its link, after `commit`."""
    address = emails.check_email(email)
    name = users.clean_display_name(display_name)
    user = users.by_email(db, address)
    if user is not None and user.password_hash:
        raise Conflict("An account with this email already exists.", code="email_taken")
    if user is None:
        user = User(email=address, display_name=name, role=role)
    user.display_name, user.role = name, role
    db.add(user)
    db.flush()
    commit()
    link = f"{settings.base_url}{INVITE_PAGE}?token={tokens.issue(settings, user, 'invite')}"
    body = _TEXT.format(inviter=by.display_name, site=settings.base_url, role=role.name, link=link)
    mail.queue_mail(redis, settings, to=user.email, subject="You are invited", body=body)
    return user


def link_state(db: Session, settings: Settings, token: str) -> tuple[LinkState, User | None]:
    """What an invitation link can still do, and whose it is."""
    try:
        user_id, claims = tokens.read(settings, token, "invite")
    except ApiError:  # the one answer for every bad link
        return ("expired" if tokens.expired(settings, token, "invite") else "invalid"), None
    user = users.find(db, user_id)
    if user is None or user.disabled:
        return "invalid", None
    if claims.get("pw") != tokens.password_fingerprint(user):
        return "used", user
    return "ok", user


def accept(db: Session, settings: Settings, *, token: str, password: str) -> tuple[User, str]:
    """Open the invited account with `password`; returns it and a new session token."""
    state, user = link_state(db, settings, token)
    if state != "ok" or user is None:
        raise tokens.invalid()
    check_password(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.email_verified = True  # the mailed link proves the address
    db.add(user)
    db.flush()
    return user, sessions.start_session(db, user)


_TEXT = """Hello,

{inviter} invites you to {site} as {role}. To accept, choose your password here
(the link works for 7 days):

{link}

If you do not know why you got this mail, ignore it; nothing happens without you.
"""
