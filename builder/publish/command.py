"""`quire deploy`: publish a built site to a folder or S3 (+ CloudFront invalidation)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from builder.manifest import MANIFEST_NAME
from builder.publish.errors import PublishError
from builder.publish.report import PublishReport


def deploy(
    path: Annotated[
        Path,
        typer.Argument(help="A site folder (with quire.toml) or a built output folder."),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Publish a suspicious build; allow many deletes."),
    ] = False,
    target_url: Annotated[
        str | None,
        typer.Option("--target", help="file:///abs/path, s3://bucket or s3://bucket/prefix."),
    ] = None,
) -> None:
    """Publish the built site to the configured target: only what changed, in safe order."""
    from pydantic import ValidationError  # deferred, like the settings: not for --help

    from builder.publish.clients import publish_with_settings  # deferred: boto3 is slow
    from builder.publish.settings import PublishSettings

    try:
        settings = PublishSettings(publish_target=target_url) if target_url else PublishSettings()
    except ValidationError as exc:
        _fail(f"settings: {exc.errors()[0]['msg']}", as_json)
    try:
        output_dir = resolve_output_dir(path)
        with _progress(enabled=not as_json and sys.stderr.isatty()) as progress:
            report = publish_with_settings(
                output_dir, settings, dry_run=dry_run, force=force, progress=progress
            )
    except PublishError as exc:
        _fail(str(exc), as_json)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        typer.echo(render_report(report))


def resolve_output_dir(path: Path) -> Path:
    """The build output folder: `path` itself, or the `output_dir` of the site at `path`."""
    if (path / MANIFEST_NAME).is_file():
        return path
    if (path / "quire.toml").is_file():
        from builder.config import ConfigError, load_config

        try:
            config = load_config(path)
        except ConfigError as exc:
            raise PublishError(str(exc)) from exc
        return path / config.output_dir
    if (path / "public" / MANIFEST_NAME).is_file():
        return path / "public"
    raise PublishError(
        f"{path}: neither a built output folder ({MANIFEST_NAME}) nor a site (quire.toml); "
        "run `quire build` first or name the folder"
    )


def render_report(report: PublishReport, limit: int = 20) -> str:
    """A short human summary of what was (or would be) done."""
    lines = [
        f"{'Plan for' if report.dry_run else 'Published to'} {report.target}: "
        f"{len(report.uploads)} uploads ({len(report.replaced)} replacing), "
        f"{len(report.deletes)} deletes, {report.unchanged} unchanged"
    ]
    titles = (
        ("would upload", "uploaded"),
        ("would delete", "deleted"),
        ("would keep (superseded assets, grace period)", "kept (superseded assets)"),
        ("would invalidate", "invalidated"),
    )
    lists = (report.uploads, report.deletes, report.deferred, report.invalidation_paths)
    for (planned, done), items in zip(titles, lists, strict=True):
        if items:
            lines.append(f"{planned if report.dry_run else done}:")
            lines.extend(f"  {item}" for item in items[:limit])
            if len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more")
    if report.invalidation_id:
        lines.append(f"CloudFront invalidation {report.invalidation_id}")
    if not report.uploads and not report.deletes:
        lines.append("Nothing to publish: the target is up to date.")
    return "\n".join(lines)


def _fail(message: str, as_json: bool) -> NoReturn:
    if as_json:
        typer.echo(json.dumps({"ok": False, "error": message}, indent=2))
    else:
        typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


class _progress:
    """A rich progress bar on a terminal; a no-op callback otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress

        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._bar.__enter__()
        self._task = self._bar.add_task("publishing", total=None)
        return self._update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def _update(self, what: str, done: int, total: int) -> None:
        self._bar.update(self._task, completed=done, total=total, description=what[-40:])
