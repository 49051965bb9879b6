"""Batch counts for list pages, and the migration matching the models."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from interaction_helpers import OTHER, THREAD, member, posted
from sqlmodel import SQLModel

import interactions_api.models  # noqa: F401 - registers every table
from interactions_api.models.user import Role


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "first", "comments_per_minute": 1000}


def test_counts_for_many_threads(app: FastAPI, client: Any, make_user: Any, manifest: Any) -> None:
    manifest(THREAD, OTHER, "quiet")
    editor = member(app, make_user, Role.editor)
    reader = member(app, make_user)
    for i in range(3):
        posted(editor, f"c{i}")
    posted(reader, "pending first comment")  # not counted until approved
    gone = posted(editor, "deleted")
    editor.delete(f"/api/comments/{gone['id']}", json={})
    posted(editor, "other", thread=OTHER)
    editor.put(f"/api/threads/{THREAD}/like", json={})
    reader.put(f"/api/threads/{THREAD}/like", json={})
    reader.put(f"/api/threads/{OTHER}/like", json={})
    response = client.get("/api/counts", params={"threads": f"{THREAD},{OTHER},quiet,unknown"})
    assert response.status_code == 200
    assert response.json() == {
        "counts": {
            THREAD: {"comments": 3, "likes": 2},
            OTHER: {"comments": 1, "likes": 1},
            "quiet": {"comments": 0, "likes": 0},
        }
    }
    assert "public" in response.headers["cache-control"]
    etag = response.headers["etag"]
    same = client.get(
        "/api/counts",
        params={"threads": f"{THREAD},{OTHER},quiet,unknown"},
        headers={"If-None-Match": etag},
    )
    assert same.status_code == 304


def test_counts_limits(client: Any, manifest: Any) -> None:
    manifest(THREAD)
    assert client.get("/api/counts").json() == {"counts": {}}
    many = ",".join(f"t{i}" for i in range(101))
    response = client.get("/api/counts", params={"threads": many})
    assert response.status_code == 422 and response.json()["code"] == "too_many"


def test_migrations_match_the_models(app: FastAPI, client: Any) -> None:
    # The app's database was built by Alembic (conftest); autogenerate must find nothing.
    with app.state.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
