"""Password hashing (argon2id, OWASP parameters) and the password rules.

Each hash takes tens of milliseconds and 19 MiB: at most a few run at once per process
(`cpu.gate`), and a burst beyond that is answered 503 instead of exhausting memory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from interactions_api.errors import Unprocessable
from interactions_api.services import cpu

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 has no limit, but an unbounded input is a cheap DoS

# OWASP's argon2id recommendation: t=2, m=19 MiB, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, type=Type.ID)

GATE = "sign-ins and password changes"
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted; PHC string with its parameters)."""
    return cpu.gate(GATE).run(HASHER.hash, password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`; False for any malformed hash."""
    try:
        return cpu.gate(GATE).run(HASHER.verify, stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash("quire-dummy-password-for-timing")


def burn_verification(password: str) -> None:
    """Spend the time of a real verification, so unknown emails answer as slowly as known."""
    verify_password(_dummy_hash(), password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped deny-list (lower-case)."""
    text = resources.files("interactions_api").joinpath("data/common-passwords.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, *, email: str = "", display_name: str = "") -> None:
    """Refuse a password that is too short, too long, common or built from the account."""
    if len(password) > MAX_LENGTH:
        raise Unprocessable(
            f"The password is longer than {MAX_LENGTH} characters; use a shorter one "
            "(it would not be cut, it is refused).",
            code="password_too_long",
        )
    if len(password) < MIN_LENGTH:
        raise Unprocessable(
            f"The password needs at least {MIN_LENGTH} characters.", code="password_too_short"
        )
    lowered = password.lower()
    core = _PADDING.sub("", lowered)  # "Password123!" -> "password"
    local = email.lower().split("@")[0]
    personal = {p for p in (local, display_name.lower().replace(" ", "")) if len(p) >= 4}
    if (
        lowered in common_passwords()
        or core in common_passwords()
        or len(set(lowered)) < 4
        or lowered in personal
        or core in personal
    ):
        raise Unprocessable(
            "This password is too common or too easy to guess; choose another "
            "(a few unrelated words make a good one).",
            code="password_too_common",
        )
