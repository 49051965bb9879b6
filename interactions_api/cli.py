"""The `quire` console script: the builder's commands plus the service's (api, worker, db, user)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from builder.cli import app

if TYPE_CHECKING:
    from sqlmodel import Session

    from interactions_api.config import Settings

# The service's modules (SQLModel, FastAPI, Alembic: about half a second to import) are
# imported inside the commands that use them, so `quire build` does not pay for them.

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
user_app = typer.Typer(help="Accounts, from the shell.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def _settings() -> Settings:
    from pydantic import ValidationError

    from interactions_api.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        typer.secho(f"invalid settings:\n{exc}", err=True, fg="red")
        raise typer.Exit(2) from exc


@contextmanager
def _accounts() -> Iterator[Session]:
    """A session on QUIRE_DATABASE_URL for the `user` commands; a refusal (an existing
    email, the last admin...) or an unready database ends the command with exit code 1."""
    from sqlmodel import Session

    from interactions_api.db import DatabaseNotReady, check_database, make_engine
    from interactions_api.errors import ApiError

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        check_database(engine)
        with Session(engine) as db:
            yield db
    except (ApiError, DatabaseNotReady) as exc:
        typer.secho(str(exc), err=True, fg="red")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to QUIRE_DATABASE_URL."""
    from interactions_api.db import make_engine, run_migrations, schema_revisions

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        run_migrations(engine)
        applied, _expected = schema_revisions(engine)
    finally:
        engine.dispose()
    typer.echo(f"database is up to date ({', '.join(sorted(applied))})")


@app.command("api")
def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(help="Server processes, each with its own socket.")] = 1,
) -> None:
    """Run the interaction API with uvicorn."""
    if workers < 1:  # checked here: a ranged option would take Typer's slow conversion path
        raise typer.BadParameter(f"{workers} is not a number of processes", param_hint="--workers")
    import uvicorn  # the server is only needed for this command

    from interactions_api.db import DatabaseNotReady, check_database, make_engine
    from interactions_api.main import create_app
    from interactions_api.serve import refuse_if_taken, supervise, uvicorn_options
    from interactions_api.shutdown import exit_cleanly_on_signals

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        check_database(engine)
    except DatabaseNotReady as exc:
        typer.secho(str(exc), err=True, fg="red")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    exit_cleanly_on_signals()
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options())
        return
    try:
        refuse_if_taken(host, port)  # before starting an embedded Redis
        with _shared_redis(settings) as shared:
            supervise(shared, host=host, port=port, workers=workers)
    except OSError as exc:  # the port is taken
        typer.secho(f"cannot serve on {host}:{port}: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc


@contextmanager
def _shared_redis(settings: Settings) -> Iterator[Settings]:
    """Without QUIRE_REDIS_URL, one embedded Redis for all workers (rate limits and jobs
    are shared), started here and handed to them by its socket's path."""
    if settings.redis_url:
        yield settings
        return
    from interactions_api.db import close_redis, connect_redis

    embedded = connect_redis(settings)
    try:
        yield settings.model_copy(update={"redis_url": f"unix://{embedded.socket_file}"})
    finally:
        close_redis(embedded)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="The account's email address.")],
    display_name: Annotated[str, typer.Option("--display-name", help="Public name.")],
    role: Annotated[str, typer.Option(help="reader, author, editor or admin.")] = "reader",
    password: Annotated[
        str | None, typer.Option(help="Password (prompted for when omitted).")
    ] = None,
) -> None:
    """Create a verified account with a role (e.g. the first admin)."""
    from interactions_api.models.user import Role
    from interactions_api.services import users

    if role not in Role.__members__:
        typer.secho(f"--role must be one of {', '.join(Role.__members__)}", err=True, fg="red")
        raise typer.Exit(2)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _accounts() as db:
        user = users.create_user(
            db,
            email=email,
            display_name=display_name,
            password=password,
            role=Role[role],
            email_verified=True,
        )
        db.commit()
        typer.echo(f"created user {user.id} <{user.email}> with role {role}")


@user_app.command("role")
def user_role(
    email: Annotated[str, typer.Argument(help="The account's email address.")],
    role: Annotated[str, typer.Argument(help="reader, author, editor or admin.")],
) -> None:
    """Give an account a role (e.g. author, so a new user can write), by the admin rules."""
    from interactions_api.models.user import Role
    from interactions_api.services import users

    if role not in Role.__members__:
        typer.secho(f"ROLE must be one of {', '.join(Role.__members__)}", err=True, fg="red")
        raise typer.Exit(2)
    with _accounts() as db:
        user = users.by_email(db, email)
        if user is None:
            typer.secho(f"there is no account with the email {email}", err=True, fg="red")
            raise typer.Exit(1)
        users.set_role(db, user, Role[role])
        db.commit()
        typer.echo(f"user {user.id} <{user.email}> now has the role {role}")


@app.command("worker")
def worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty.")] = False,
) -> None:
    """Run the background worker (site builds, scheduled posts, mail) on the app's Redis."""
    from interactions_api.db import DatabaseNotReady
    from interactions_api.worker.process import run_worker  # the worker's code, only here

    settings = _settings()
    try:
        run_worker(settings, burst=burst)
    except DatabaseNotReady as exc:
        typer.secho(str(exc), err=True, fg="red")
        raise typer.Exit(1) from exc


hooks_app = typer.Typer(help="Git hooks of the content repository.", no_args_is_help=True)
app.add_typer(hooks_app, name="hooks")


@hooks_app.command("install")
def hooks_install(
    url: Annotated[
        str, typer.Option(help="The service's push endpoint.")
    ] = "http://127.0.0.1:8080/api/hooks/push",
    repo: Annotated[
        str | None, typer.Option(help="Bare repository (default: QUIRE_CONTENT_REPO).")
    ] = None,
) -> None:
    """Install a post-receive hook that tells the service about every push (signed)."""
    import sys
    from pathlib import Path

    from interactions_api.services.contentrepo import ContentRepoError, open_repo
    from interactions_api.services.webhooks import install_hook

    settings = _settings()
    try:
        repo_dir = Path(repo) if repo else open_repo(settings).git_dir
        hook = install_hook(
            repo_dir, url=url, secret=settings.webhook_secret, python=sys.executable
        )
    except ContentRepoError as exc:
        typer.secho(str(exc), err=True, fg="red")
        raise typer.Exit(1) from exc
    typer.echo(f"installed {hook}: pushes are sent to {url}")


# `run` (the whole platform) and `serve` with the API on the same port.
from interactions_api import cli_platform  # noqa: E402, F401


def main() -> None:
    """Entry point of `quire`."""
    app()
