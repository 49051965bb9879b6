"""The builder's half of the `quire` command: new, build, serve, deploy.

The service commands (api, worker, db, user, run) are added by `interactions_api.cli`,
which is the console script; the builder never imports the service.
"""

from __future__ import annotations

import typer

from builder.cli import coercion, commands
from builder.publish.command import deploy

coercion.install()  # no Pydantic for converting a folder or a port (see the module)

app = typer.Typer(
    name="quire",
    help="Quire: community blogs, static pages and a small interaction service.",
    no_args_is_help=True,
    add_completion=False,
    # plain help and error messages: rich's formatting (and the Markdown parser it loads)
    # would cost more than all the rest of `quire --help`
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},  # click's 80 cuts command summaries short
)
new_app = typer.Typer(help="Create a site or a post from content_templates/.", no_args_is_help=True)
app.add_typer(new_app, name="new")
app.command("deploy")(deploy)
new_app.command("site")(commands.new_site_command)
new_app.command("post")(commands.new_post_command)
app.command("build")(commands.build_command)
app.command("serve")(commands.serve_command)


def main() -> None:
    """Entry point of the builder-only command."""
    app()
