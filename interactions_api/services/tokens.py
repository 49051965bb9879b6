"""Short-lived signed tokens for email links (verification, password reset).

HS256 JWTs signed with a key derived from `settings.secret_key` (so a token of one kind
never passes for another kind or for a CSRF token). Reset tokens carry a fingerprint of
the current password hash: once the password changes, every earlier reset link is dead,
which makes them single-use without storing anything.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any, Literal

import jwt

from interactions_api.config import Settings
from interactions_api.errors import BadRequest
from interactions_api.models.common import utcnow
from interactions_api.models.user import User

Purpose = Literal["verify", "reset", "email", "invite"]
LIFETIME: dict[Purpose, timedelta] = {
    "verify": timedelta(hours=48),
    "reset": timedelta(minutes=30),
    "email": timedelta(hours=24),  # confirm a new address (claim `new`)
    "invite": timedelta(days=7),
}
ALGORITHM = "HS256"


def _key(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), b"quire-email-tokens", hashlib.sha256).digest()


def password_fingerprint(user: User) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def issue(settings: Settings, user: User, purpose: Purpose, **extra: str) -> str:
    """A signed token for `user` and `purpose`, valid for LIFETIME[purpose]; `extra`
    claims are added (an address change carries the new address as `new`)."""
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "purpose": purpose,
        "email": user.email,
        "iat": now,
        "exp": now + LIFETIME[purpose],
        **extra,
    }
    if purpose in ("reset", "invite"):  # spent once the password changes
        claims["pw"] = password_fingerprint(user)
    return jwt.encode(claims, _key(settings), algorithm=ALGORITHM)


def read(settings: Settings, token: str, purpose: Purpose) -> tuple[int, dict[str, Any]]:
    """The user id and claims of a valid token, or 400 `invalid_token`."""
    try:
        claims = jwt.decode(
            token,
            _key(settings),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "purpose"]},
        )
        if claims.get("purpose") != purpose:
            raise jwt.InvalidTokenError("wrong purpose")
        return int(claims["sub"]), claims
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise invalid() from exc


def expired(settings: Settings, token: str, purpose: Purpose) -> bool:
    """Whether `token` is a genuine `purpose` token whose only fault is its age.

    Lets a page say "this link expired, ask for a new one" instead of "invalid"; the
    signature is still checked, so nothing can be learnt from a forged token.
    """
    try:
        claims = jwt.decode(
            token, _key(settings), algorithms=[ALGORITHM], options={"verify_exp": False}
        )
    except jwt.InvalidTokenError:
        return False
    if claims.get("purpose") != purpose:
        return False
    try:
        jwt.decode(token, _key(settings), algorithms=[ALGORITHM])
    except jwt.ExpiredSignatureError:
        return True
    except jwt.InvalidTokenError:
        return False
    return False


def invalid() -> BadRequest:
    """The one error for every bad, expired or used link (no detail to probe with)."""
    return BadRequest(
        "This link is invalid, expired or already used; ask for a new one.", code="invalid_token"
    )
