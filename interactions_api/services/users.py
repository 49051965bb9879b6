"""Accounts: creation, lookup, profile edits and role management."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import Session, col, select

from interactions_api.errors import Conflict, NotFound, Unprocessable
from interactions_api.models.user import Role, User
from interactions_api.services import emails, sessions
from interactions_api.services.passwords import check_password, hash_password

DISPLAY_NAME_MAX = 80
BIO_MAX = 2000
WEBSITE_MAX = 500
TAG_MAX, TAGS_MAX = 40, 10

# The address rules live in `emails`; kept here too for callers that ask `users`.
check_email = emails.check_email
normalize_email = emails.normalize_email


def clean_display_name(name: str) -> str:
    """A display name without control characters, 1-80 characters, or 422."""
    cleaned = " ".join("".join(ch for ch in name if unicodedata.category(ch)[0] != "C").split())
    if not cleaned:
        raise Unprocessable("The display name cannot be empty.", code="invalid_display_name")
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise Unprocessable(
            f"The display name is longer than {DISPLAY_NAME_MAX} characters.",
            code="invalid_display_name",
        )
    return cleaned


def clean_website(url: str) -> str:
    """An http(s) URL with a host, or '' for none; anything else (javascript:, data:) is 422."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > WEBSITE_MAX or parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unprocessable(
            "The website must be an http:// or https:// address.", code="invalid_website"
        )
    return url


def clean_tags(tags: list[str]) -> str:
    """Expertise tags as stored (comma-separated), deduplicated, or 422."""
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.replace(",", " ").split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise Unprocessable(
                f"The tag {tag[:20]!r}... is longer than {TAG_MAX} characters.",
                code="invalid_expertise",
            )
        if tag.lower() not in (t.lower() for t in cleaned):
            cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        raise Unprocessable(f"At most {TAGS_MAX} expertise tags.", code="invalid_expertise")
    return ",".join(cleaned)


def by_email(db: Session, email: str) -> User | None:
    """The account with this address, however it is spelled (see `emails.normalize_email`)."""
    return db.exec(select(User).where(col(User.email) == normalize_email(email))).first()


def get(db: Session, user_id: int) -> User:
    """The account with this id, or 404 `user_not_found`."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.", code="user_not_found")
    return user


def find(db: Session, user_id: int | None) -> User | None:
    """The account with this id, or None (no id, or no longer there)."""
    return None if user_id is None else db.get(User, user_id)


def by_ids(db: Session, ids: Iterable[int | None]) -> list[User]:
    """The accounts with these ids (the unknown ones left out), in no set order."""
    wanted = [i for i in ids if i is not None]
    return list(db.exec(select(User).where(col(User.id).in_(wanted))).all())


def create_user(
    db: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.reader,
    email_verified: bool = False,
) -> User:
    """Create an account after checking every field; 409 `email_taken` if it exists.

    Every way an account is made (sign-up, `quire user create`, the demo admin) comes
    through here, so all of them refuse look-alike addresses the same way.
    """
    email = check_email(email)
    display_name = clean_display_name(display_name)
    check_password(password, email=email, display_name=display_name)
    if by_email(db, email) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        email_verified=email_verified,
    )
    db.add(user)
    db.flush()
    return user


def update_profile(
    db: Session,
    user: User,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    website: str | None = None,
    expertise: list[str] | None = None,
) -> User:
    """Change the given profile fields (None = unchanged)."""
    if display_name is not None:
        user.display_name = clean_display_name(display_name)
    if bio is not None:
        if len(bio) > BIO_MAX:
            raise Unprocessable(f"The bio is longer than {BIO_MAX} characters.", code="invalid_bio")
        user.bio = bio.strip()
    if website is not None:
        user.website = clean_website(website)
    if expertise is not None:
        user.expertise = clean_tags(expertise)
    db.add(user)
    db.flush()
    return user


def list_users(
    db: Session, *, query: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[User], int]:
    """Accounts matching `query` (email or display name), newest first, and the total."""
    stmt = select(User)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            col(User.email).like(like) | func.lower(col(User.display_name)).like(like)
        )
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(col(User.id).desc()).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def set_role(db: Session, user: User, role: Role) -> User:
    """Give `user` a role; the last admin cannot be demoted (409 `last_admin`)."""
    if user.role == Role.admin and role != Role.admin and _admins(db) <= 1:
        raise Conflict("This is the only admin; make another admin first.", code="last_admin")
    user.role = role
    db.add(user)
    db.flush()
    return user


def names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by account id, for bylines of remarks and history lines."""
    return {u.id: u.display_name for u in by_ids(db, ids) if u.id is not None}


def set_disabled(db: Session, user: User, disabled: bool, *, by: User) -> User:
    """Disable an account (it is signed out everywhere, its API tokens revoked) or enable it
    again. Nobody disables their own account, nor the last admin."""
    assert user.id is not None
    if disabled and user.id == by.id:
        raise Conflict("You cannot disable your own account.", code="self_disable")
    if disabled and user.role == Role.admin and _admins(db) <= 1:
        raise Conflict("This is the only admin; make another admin first.", code="last_admin")
    user.disabled = disabled
    db.add(user)
    if disabled:
        sessions.end_all_sessions(db, user.id)
        sessions.revoke_api_tokens(db, user.id)
    db.flush()
    return user


def _admins(db: Session) -> int:
    query = select(func.count()).select_from(User).where(col(User.role) == Role.admin)
    return int(db.exec(query).one())
