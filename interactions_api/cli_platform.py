"""`quire run` (the whole platform) and `quire serve` with the API on the same port.

The builder's own `serve` knows nothing of the API; this one replaces it in the console
script so that the preview answers `/api/*` too and the widgets work while writing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from builder.cli import app
from builder.cli.commands import Drafts, Future, SiteArg, print_report
from builder.options import BuildOptions

# The builder registered a preview-only `serve`; the console script serves the API too.
app.registered_commands = [c for c in app.registered_commands if c.name != "serve"]


@app.command("run")
def run(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for all embedded state (database, bucket).")
    ] = Path(".run"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the whole platform on embedded defaults: site, API, worker, Redis, bucket."""
    from interactions_api.platform import run_platform

    run_platform(directory, host=host, port=port)


@app.command("serve")
def serve(
    site: SiteArg = Path(),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    drafts: Drafts = False,
    future: Future = False,
    api: Annotated[
        bool, typer.Option(help="Serve the interaction API under /api on the same port.")
    ] = True,
) -> None:
    """Build, serve on http://HOST:PORT with the API under /api, and reload on every change."""
    from builder.preview.serve import serve as serve_preview

    wrap = _with_api(site, host, port) if api else None
    typer.echo(f"Serving {site} on http://{host}:{port}/ (Ctrl+C to stop)")
    serve_preview(
        site,
        host=host,
        port=port,
        options=BuildOptions(drafts=drafts, future=future),
        report=print_report,
        wrap=wrap,
    )


def _with_api(site: Path, host: str, port: int) -> Any:
    """A wrapper that mounts the API beside the preview, with its state in the site folder."""
    from interactions_api.config import Settings
    from interactions_api.db import make_engine, run_migrations
    from interactions_api.devserver import create_dev_app
    from interactions_api.platform import platform_environment

    state = site.resolve() / ".quire" / "api"
    state.mkdir(parents=True, exist_ok=True)
    os.environ.update(platform_environment(state, host, port))
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        run_migrations(engine)  # a preview database is ours to keep current
    finally:
        engine.dispose()

    def wrap(preview_app: Any, output_dir: Path) -> Any:
        return create_dev_app(settings, output_dir, site_app=preview_app)

    return wrap
