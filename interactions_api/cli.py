"""The `quire` console script: the builder's commands plus the service's (api, worker, db, user)."""

from __future__ import annotations

from builder.cli import app


def main() -> None:
    """Entry point of `quire`."""
    app()
