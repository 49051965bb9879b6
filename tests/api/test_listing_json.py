"""The listing's JSON, built from per-comment pieces kept between renders, is byte for byte
what encoding the listing in one piece gives, and follows every change to a comment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, member, posted
from sqlmodel import Session

from interactions_api.db import reader
from interactions_api.models.user import Role
from interactions_api.services import listing


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "none", "listing_cache_seconds": 0}


def _both(app: FastAPI, since: int = 0) -> tuple[bytes, bytes]:
    with Session(reader(app.state.engine)) as db:
        whole = listing.thread_listing(db, THREAD, since=since)
        pieces = listing.thread_listing_json(db, THREAD, since=since)
    return json.dumps(whole, separators=(",", ":"), ensure_ascii=False).encode(), pieces


def test_pieced_listing_is_the_same_bytes_through_every_change(
    app: FastAPI, client: Any, make_user: Any, manifest: Any
) -> None:
    manifest(THREAD)
    ada = member(app, make_user, display_name='Ada «ünïcode» "quoted"')
    bob = member(app, make_user, display_name="Bob")
    editor = member(app, make_user, Role.editor)
    empty, pieces = _both(app)
    assert pieces == empty and json.loads(pieces)["comments"] == []

    first = posted(ada, 'Hello *world* — ünïcode \\ "quotes" </script>')
    reply = posted(bob, "A reply", parent_id=first["id"])
    posted(bob, "Another")
    assert _both(app)[0] == _both(app)[1]
    seen = client.get(f"/api/threads/{THREAD}/comments").content

    # each change to a listed comment shows in the next listing
    assert bob.put(f"/api/comments/{first['id']}/like", json={}).status_code == 200
    assert ada.put(f"/api/threads/{THREAD}/like", json={}).status_code == 200
    assert ada.patch(f"/api/comments/{first['id']}", json={"body": "Edited"}).status_code == 200
    assert editor.delete(f"/api/comments/{first['id']}", json={}).status_code == 204  # a reply
    whole, pieces = _both(app)
    assert pieces == whole
    after = json.loads(client.get(f"/api/threads/{THREAD}/comments").content)
    assert after != json.loads(seen)
    placeholder = next(c for c in after["comments"] if c["id"] == first["id"])
    assert placeholder["deleted"] is True and placeholder["likes"] == 1
    assert after["likes"] == 1 and after["count"] == 2
    assert _both(app, since=reply["id"])[0] == _both(app, since=reply["id"])[1]
