"""Abuse checks in one place: every rate-limit decision of the API, with its reason.

Like Isso's guard, each check answers a `Decision` (allowed or not, and why, and when to
try again) instead of leaving the limits, keys and messages to each route; a route
either `enforce()`s it (429 with Retry-After) or shapes its own refusal from it (the
unsubscribe page). The counts live in Redis (`ratelimit.RateLimiter`), in-process while
Redis is away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from interactions_api.config import Settings
from interactions_api.errors import RateLimited
from interactions_api.models.user import User
from interactions_api.services.ratelimit import RateLimiter, key_part

WINDOW = 60  # seconds: the per-minute limits in settings
HOUR = 3600
ADDRESS_FACTOR = 5  # several people can share one address (NAT, offices)
VERIFICATION_MAILS_PER_HOUR = 3
SIGNIN_WINDOW = 15 * 60  # failed sign-ins are counted over this many seconds
GENERIC = "Too many requests; try again later."
THROTTLED = "Too many attempts; wait a little and try again."
LinkKind = Literal["verify", "reset"]


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may go ahead; if not, the reason shown and when to retry."""

    allowed: bool
    reason: str = ""
    retry_after: int = 0

    def enforce(self) -> None:
        """Refuse (429 `rate_limited`, Retry-After) when not allowed."""
        if not self.allowed:
            raise RateLimited(self.reason, retry_after=self.retry_after)


ALLOWED = Decision(True)


class Guard:
    """The rate limits of comments, likes, previews, inbox writes, unsubscribes, sign-ups,
    mailed links and sign-ins; each check counts one event, except `sign_in`, which only
    looks (`sign_in_failed` counts)."""

    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self.limiter, self.settings = limiter, settings

    def comment(self, *, user: User | None, address: str) -> Decision:
        """A comment or an edit: per account, and per address (looser for accounts)."""
        per_minute = self.settings.comments_per_minute
        limits = []
        if user is not None:
            limits.append((f"comment:user:{user.id}", per_minute, WINDOW))
            per_minute *= ADDRESS_FACTOR
        limits.append((f"comment:ip:{address}", per_minute, WINDOW))
        return self._hit_all(limits, "You are commenting too fast; wait a moment.")

    def comment_preview(self, *, address: str) -> Decision:
        """A comment preview: cheap but unauthenticated CPU, a looser per-address limit."""
        limit = self.settings.comments_per_minute * 10
        return self._hit(
            f"preview:ip:{address}", limit, WINDOW, "Too many previews; wait a moment."
        )

    def like(self, *, user: User, address: str) -> Decision:
        """A like, unlike or bookmark change: per account and per address."""
        per_minute = self.settings.likes_per_minute
        limits = [
            (f"like:user:{user.id}", per_minute, WINDOW),
            (f"like:ip:{address}", per_minute * ADDRESS_FACTOR, WINDOW),
        ]
        return self._hit_all(limits, "Too many likes in a short time; wait a moment.")

    def inbox_write(self, user: User) -> Decision:
        """An inbox save, preview or upload of `user`."""
        reason = "Too many saves or previews in a minute; wait a moment."
        limit = self.settings.inbox_writes_per_minute
        return self._hit(f"inbox:user:{user.id}", limit, WINDOW, reason)

    def unsubscribe(self, *, address: str) -> Decision:
        """An unsubscribe link opened or used (each checks a signature)."""
        limit = self.settings.unsubscribes_per_minute
        return self._hit(
            f"unsubscribe:ip:{address}", limit, WINDOW, "Too many requests; try again later."
        )

    def verification_mail(self, user: User) -> Decision:
        """Another verification mail asked for by `user`."""
        limit = VERIFICATION_MAILS_PER_HOUR
        return self._hit(f"verify:user:{user.id}", limit, HOUR, GENERIC)

    def email_change(self, user: User) -> Decision:
        """A link to move `user` to another address (mailed to a stranger's box, maybe)."""
        limit = self.settings.resets_per_email
        return self._hit(f"email-change:user:{user.id}", limit, HOUR, GENERIC)

    def sign_up(self, *, address: str) -> Decision:
        """A sign-up from `address`."""
        return self._hit(f"signup:ip:{address}", self.settings.signups_per_ip, HOUR, GENERIC)

    def mail_request(self, kind: LinkKind, *, address: str) -> Decision:
        """A mailed link (`verify` again, password `reset`) asked for from `address`."""
        return self._hit(f"{kind}:ip:{address}", self.settings.resets_per_ip, HOUR, GENERIC)

    def mail_recipient(self, kind: LinkKind, *, email: str) -> Decision:
        """A mailed link asked for `email` (counted once the address is known valid)."""
        key, limit = f"{kind}:email:{key_part(email)}", self.settings.resets_per_email
        return self._hit(key, limit, HOUR, GENERIC)

    def sign_in(self, *, email: str, address: str | None = None) -> Decision:
        """Whether a password may be tried for the account (and from `address`): refused,
        without counting, once their failed tries reached the limit."""
        checks = [(_account(email), self.settings.signin_failures_per_account)]
        if address is not None:
            checks.append((f"signin:ip:{address}", self.settings.signin_failures_per_ip))
        for key, limit in checks:
            try:
                self.limiter.check(key, limit=limit, message=THROTTLED)
            except RateLimited as exc:
                return Decision(False, exc.message, exc.retry_after)
        return ALLOWED

    def sign_in_failed(self, *, email: str, address: str | None = None) -> None:
        """Count a wrong password against the account (and `address`)."""
        self.limiter.count(_account(email), window_s=SIGNIN_WINDOW)
        if address is not None:
            self.limiter.count(f"signin:ip:{address}", window_s=SIGNIN_WINDOW)

    def sign_in_succeeded(self, *, email: str) -> None:
        """Forget the account's failed tries."""
        self.limiter.reset(_account(email))

    def _hit(self, key: str, limit: int, window_s: int, reason: str) -> Decision:
        return self._hit_all([(key, limit, window_s)], reason)

    def _hit_all(self, limits: list[tuple[str, int, int]], reason: str) -> Decision:
        # One round trip for all of a request's keys (counted up to the first refusal).
        try:
            self.limiter.hit_all(limits, message=reason)
        except RateLimited as exc:
            return Decision(False, exc.message, exc.retry_after)
        return ALLOWED


def _account(email: str) -> str:
    return f"signin:acct:{key_part(email)}"
