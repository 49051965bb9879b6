"""Alembic environment: runs on the engine handed in by `interactions_api.db.run_migrations`.

Always online: the engine (SQLite or PostgreSQL) comes from the caller's settings, so
there is no alembic.ini and no URL to keep in sync.
"""

from __future__ import annotations

import importlib
import pkgutil

from alembic import context
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import interactions_api.models as models_pkg


def _load_models() -> None:
    # Every module under models/ registers its tables on SQLModel.metadata, which
    # autogenerate compares against; import them all so none is missed.
    for info in pkgutil.iter_modules(models_pkg.__path__):
        importlib.import_module(f"{models_pkg.__name__}.{info.name}")


def run_migrations_online() -> None:
    """Run the migrations inside one connection of the caller's engine."""
    _load_models()
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
