"""The builder's commands: `quire new site|post`, `quire build`, `quire serve`.

Registered on the `quire` app in builder/cli/__init__.py. Diagnostics are printed one a line as
`error: content/posts/a.md:3: <message> <hint>` (a warning found in many files: the first
few, then a count); any error exits with status 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from builder.options import BuildOptions

# Each command imports what it runs: `quire --help` loads none of the builder's stages,
# and a build that finds nothing changed none of its renderers (builder.pipeline).
if TYPE_CHECKING:
    from rich.console import Console

    from builder.pipeline import BuildResult

SiteArg = Annotated[
    Path, typer.Argument(help="The site folder (with quire.toml).", show_default=True)
]
Drafts = Annotated[bool, typer.Option("--drafts", help="Include posts marked `draft: true`.")]
Future = Annotated[bool, typer.Option("--future", help="Include posts dated in the future.")]


def new_site_command(
    directory: Annotated[Path, typer.Argument(help="Folder to create (must be empty).")],
    title: Annotated[str | None, typer.Option(help="Site title; default: from the folder.")] = None,
) -> None:
    """Create a new site with sample posts, an About page and settings."""
    from builder.cli.scaffold import ScaffoldError, new_site

    try:
        new_site(directory, title=title)
    except ScaffoldError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Created a Quire site in {directory}. Preview it with: quire serve {directory}")


def new_post_command(
    title: Annotated[str, typer.Argument(help='The post title, e.g. "My first post".')],
    site: Annotated[Path, typer.Option(help="The site folder.")] = Path(),
) -> None:
    """Create a post (a draft) from the archetype with today's date."""
    from builder.cli.scaffold import ScaffoldError, new_post

    try:
        path = new_post(site, title)
    except ScaffoldError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Created {path}: a draft, shown by `quire serve --drafts`; "
        "remove `draft: true` to publish it."
    )


def build_command(
    site: SiteArg = Path(),
    drafts: Drafts = False,
    future: Future = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default: public).")
    ] = None,
    timings: Annotated[bool, typer.Option("--timings", help="Print each stage's time.")] = False,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Ignore and leave alone the build cache (.quire-cache)."),
    ] = False,
    no_search: Annotated[
        bool,
        typer.Option(
            "--no-search",
            help="Do not update the search index: keep the previous one as it is (it will "
            "not find pages changed since), or build none.",
        ),
    ] = False,
) -> None:
    """Build the site into its output folder; the old output stays if anything fails."""
    options = BuildOptions(
        drafts=drafts,
        future=future,
        output_dir=output,
        cache=not no_cache,
        # the index under public/search/ is left alone, not deleted
        search_index=not no_search,
        skip_search=no_search,
    )
    from builder.pipeline import build_site

    console = _terminal()
    if console is not None:
        result = _build_with_progress(site, options, console)
    else:
        result = build_site(site, options)
    print_report(result)
    if timings:
        typer.echo(
            "  ".join(f"{stage} {seconds:.3f} s" for stage, seconds in result.timings.items())
            + f"  ({result.parsed} parsed, {result.rendered} rendered)"
        )
    if not result.ok:
        raise typer.Exit(1)


def serve_command(
    site: SiteArg = Path(),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    drafts: Drafts = False,
    future: Future = False,
) -> None:
    """Build, serve on http://HOST:PORT, and rebuild and reload the page on every change."""
    from builder.preview.serve import serve  # the server stack is only loaded when serving

    typer.echo(f"Serving {site} on http://{host}:{port}/ (Ctrl+C to stop)")
    serve(
        site,
        host=host,
        port=port,
        options=BuildOptions(drafts=drafts, future=future),
        report=print_report,
    )


def _terminal() -> Console | None:
    """A rich console on stderr when that is a terminal (for the progress bar); None, and
    rich not even imported, when it is a pipe or a file that rich is not told to treat
    as a terminal (FORCE_COLOR, TTY_COMPATIBLE=1)."""
    forced = os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1"
    if not forced and not sys.stderr.isatty():
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return console if console.is_terminal else None


def _build_with_progress(site: Path, options: BuildOptions, console: Console) -> BuildResult:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # a terminal

    from builder.pipeline import STAGES, build_site

    columns = (TextColumn("{task.description:<16}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("build", total=len(STAGES))

        def on_stage(stage: str, index: int, total: int) -> None:
            progress.update(task, description=stage, completed=index)

        def on_parsed(done: int, total: int) -> None:
            # parsing is most of a cold build: move the bar through the parse stage
            start = STAGES.index("parse")
            progress.update(
                task, description=f"parse {done}/{total}", completed=start + done / total
            )

        result = build_site(site, options, on_stage=on_stage, on_parsed=on_parsed)
        progress.update(task, completed=len(STAGES))
    return result


def print_report(result: BuildResult) -> None:
    """The diagnostics on stderr (see `report_lines`), then one summary line."""
    from builder.build_result import report_lines

    if result.diagnostics:  # one write: thousands of warnings are thousands of flushes
        typer.echo("\n".join(report_lines(result.diagnostics)), err=True)
    warnings = _plural(len(result.warnings), "warning")
    if result.ok:
        changed = _plural(len(result.changed), "file")
        typer.echo(
            f"Built {_plural(result.pages, 'page')} in {result.seconds:.2f} s "
            f"({changed} changed, {warnings}) -> {result.output_dir}"
        )
    else:
        errors = _plural(len(result.errors), "error")
        typer.echo(
            f"Build failed: {errors}, {warnings}; {result.output_dir} was left unchanged.",
            err=True,
        )
    sys.stdout.flush()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
