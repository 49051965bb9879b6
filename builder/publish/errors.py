"""Errors of the publisher: each names the file, path or setting at fault."""

from __future__ import annotations

from typing import Any


class PublishError(Exception):
    """A publish could not be completed; the message says what and how to fix it."""

    report: Any = None  # the PublishReport so far, when the publish had started


class RefusedError(PublishError):
    """The publish was refused before anything was changed (use --force to override)."""


class LockedError(PublishError):
    """Another publish of the same target is in progress."""

    retry_after: float | None = None  # seconds until the holder's lease runs out


class LockLostError(LockedError):
    """This publish's lease was taken over (it stalled past its end): it stopped."""


class TargetError(PublishError):
    """The target URL or the remote store is unusable."""
