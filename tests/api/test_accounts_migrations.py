"""The Alembic migrations build exactly the schema the models describe, on every database."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import interactions_api.models as models_pkg
from interactions_api.db import (
    DatabaseNotReady,
    alembic_config,
    check_database,
    make_engine,
    run_migrations,
    schema_revisions,
)


def _all_models() -> None:
    for info in pkgutil.iter_modules(models_pkg.__path__):
        importlib.import_module(f"{models_pkg.__name__}.{info.name}")


def test_migrations_match_the_models(database_url: str) -> None:
    _all_models()
    engine = make_engine(database_url)
    try:
        applied, expected = schema_revisions(engine)
        assert applied == expected
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_downgrade_to_nothing_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), "base")
        assert set(sa.inspect(engine).get_table_names()) - {"alembic_version"} == set()
        with pytest.raises(DatabaseNotReady):
            check_database(engine)
        run_migrations(engine)
        assert {"user", "authsession", "apitoken"} <= set(sa.inspect(engine).get_table_names())
        check_database(engine)
    finally:
        engine.dispose()
