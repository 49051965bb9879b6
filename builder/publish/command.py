"""`quire deploy`."""

from __future__ import annotations

import typer


def deploy() -> None:
    """Publish the built site to the configured target."""
    typer.echo("quire deploy: not implemented yet", err=True)
    raise typer.Exit(2)
