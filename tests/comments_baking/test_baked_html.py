"""The baked copy of a thread: the widget's markup, escaped, complete and deterministic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rq import Queue
from rq.serializers import JSONSerializer
from sqlmodel import Session, col, select

from interactions_api.models.inbox import OutboxEntry
from interactions_api.models.user import Role
from interactions_api.services import listing
from interactions_api.services.baking import REBAKE_REASON, active_threads, baked_threads
from interactions_api.services.outbox import BUILD_QUEUE
from tests.comments_baking.baked_helpers import read_baked

THREAD = "hello-world"
NAME = 'Ada <img src=x onerror="alert(1)">'


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**settings_overrides, "comments_per_minute": 1000}  # tests post in bursts


@pytest.fixture
def thread(manifest: Callable[..., Any]) -> str:
    manifest(THREAD, "quiet-post", "liked-only")
    return THREAD


def post(client: Any, body: str, **extra: Any) -> dict[str, Any]:
    response = client.post(f"/api/threads/{THREAD}/comments", json={"body": body, **extra})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def bake(engine: Any, thread_id: str = THREAD) -> Any:
    with Session(engine) as db:
        return baked_threads(db, [thread_id])[thread_id]


def test_baked_thread_is_the_widgets_markup_with_the_apis_records(
    thread: str, user_client: Callable[..., Any], client: Any, engine: Any
) -> None:
    ada = user_client(Role.editor, display_name=NAME)  # editors' comments publish at once
    top = post(ada, "Hello <script>alert(1)</script> *world*")
    reply = post(ada, "A reply", parent_id=top["id"])
    deeper = post(
        ada, "[a link](https://example.org) and [bad](javascript:alert(1))", parent_id=reply["id"]
    )
    second = post(ada, "Another thread root")
    assert client.put(f"/api/threads/{THREAD}/like", json={}).status_code == 401  # anonymous
    ada.put(f"/api/threads/{THREAD}/like", json={})

    baked = bake(engine)
    found = read_baked(baked.html)
    api = client.get(f"/api/threads/{THREAD}/comments").json()

    # Each item carries exactly the record the API lists, so the widget can take it over.
    assert [found.items[c["id"]].record for c in api["comments"]] == api["comments"]
    assert {i: item.parent for i, item in found.items.items()} == {
        top["id"]: None,
        reply["id"]: top["id"],
        deeper["id"]: reply["id"],
        second["id"]: None,
    }
    assert baked.last_id == second["id"] and baked.likes == 1
    # Without JavaScript a reader sees the text; user text never became markup.
    assert NAME in found.items[top["id"]].text
    assert "Hello <script>alert(1)</script>" in " ".join(found.items[top["id"]].text)
    assert found.dangerous == []
    assert 'href="https://example.org"' in baked.html and 'href="javascript' not in baked.html
    assert baked.html.startswith('<ol class="quire-list"><li class="quire-c" id="comment-')


def test_same_comments_same_bytes_and_any_change_shows(
    thread: str, user_client: Callable[..., Any], engine: Any
) -> None:
    ada = user_client(Role.editor)
    first = post(ada, "First")
    before = bake(engine)
    assert bake(engine) == before  # deterministic: an unchanged page is not re-uploaded

    reader = user_client(Role.reader)
    assert reader.put(f"/api/comments/{first['id']}/like", json={}).status_code == 200
    liked = bake(engine)
    assert read_baked(liked.html).items[first["id"]].record["likes"] == 1

    post(ada, "Second")
    assert bake(engine).last_id > liked.last_id


def test_a_deleted_comment_with_replies_stays_as_a_placeholder(
    thread: str, user_client: Callable[..., Any], engine: Any
) -> None:
    ada = user_client(Role.editor, display_name="Ada Placeholder")
    top = post(ada, "Soon gone")
    reply = post(ada, "Stays", parent_id=top["id"])
    assert ada.delete(f"/api/comments/{top['id']}", json={}).status_code == 204

    found = read_baked(bake(engine).html)
    assert "This comment was deleted." in found.items[top["id"]].text
    assert "Ada Placeholder" not in found.items[top["id"]].text
    assert found.items[top["id"]].record["deleted"] is True
    assert found.items[reply["id"]].parent == top["id"]
    assert "Soon gone" not in bake(engine).html


def test_only_threads_with_something_to_show_are_baked(
    thread: str, user_client: Callable[..., Any], engine: Any
) -> None:
    reader = user_client(Role.reader)  # a first comment waits for moderation
    assert post(reader, "Pending")["status"] == "pending"
    reader.put("/api/threads/liked-only/like", json={})
    with Session(engine) as db:
        assert active_threads(db) == ["liked-only"]
        baked = baked_threads(db, ["liked-only", "quiet-post"])
    assert baked["liked-only"].likes == 1 and baked["liked-only"].html == ""
    assert baked["quiet-post"].html == "" and baked["quiet-post"].last_id == 0


def test_publishing_a_comment_owes_one_coalesced_build(
    thread: str, user_client: Callable[..., Any], engine: Any, redis: Any
) -> None:
    readers = [user_client(Role.reader) for _ in range(3)]
    waiting = [post(r, f"Pending {n}") for n, r in enumerate(readers)]
    editor = user_client(Role.editor)
    queue = Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer)
    assert queue.count == 0  # pending comments are not on any page

    for comment in waiting:
        url = f"/api/moderation/comments/{comment['id']}/approve"
        assert editor.post(url, json={}).status_code == 200
    with Session(engine) as db:
        owed = db.exec(select(OutboxEntry).where(col(OutboxEntry.done_at).is_(None))).all()
    assert [e.reason for e in owed] == [REBAKE_REASON] * 3  # nothing lost if Redis is down
    assert queue.count == 1  # one build job for the site: the burst coalesced
    [job] = queue.get_jobs()
    assert job.func_name == "interactions_api.worker.jobs.build_site"


class TestBakingOff:
    """QUIRE_BAKE_COMMENTS=false: comments never cause a build."""

    @pytest.fixture
    def settings_overrides(self, settings_overrides: dict[str, Any]) -> dict[str, Any]:
        return {**settings_overrides, "bake_comments": False}

    def test_no_build_is_owed(
        self, thread: str, user_client: Callable[..., Any], engine: Any, redis: Any
    ) -> None:
        post(user_client(Role.editor), "Published at once")
        with Session(engine) as db:
            assert db.exec(select(OutboxEntry)).all() == []
        assert Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer).count == 0


def test_baking_many_threads_lists_each_as_the_api_does(
    manifest: Callable[..., Any],
    user_client: Callable[..., Any],
    engine: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Publishing bakes every active thread in a few queries (listing.thread_listings), not
    # one query per thread: each thread must still come out as the API's own listing.
    monkeypatch.setattr(listing, "THREADS_PER_QUERY", 2)  # several batches for 5 threads
    threads = ["t-a", "t-b", "t-c", "t-d", "t-e"]
    manifest(*threads)
    ada = user_client(Role.editor, display_name="Ada")
    bob = user_client(Role.reader, display_name="Bob")
    for n, thread_id in enumerate(threads[:4]):  # t-e stays empty
        url = f"/api/threads/{thread_id}/comments"
        top = ada.post(url, json={"body": f"Top {n}"}).json()
        reply = ada.post(url, json={"body": f"Reply {n}", "parent_id": top["id"]}).json()
        bob.post(url, json={"body": "Waits for moderation"})
        if n % 2:  # a deleted comment with a reply stays as a placeholder
            assert ada.delete(f"/api/comments/{top['id']}", json={}).status_code == 204
        if n % 3 == 0:
            bob.put(f"/api/comments/{reply['id']}/like", json={})
            bob.put(f"/api/threads/{thread_id}/like", json={})
    with Session(engine) as db:
        together = listing.thread_listings(db, threads)
        one_by_one = {t: listing.thread_listing(db, t) for t in threads}
    assert list(together) == threads
    for thread_id in threads:
        alone = one_by_one[thread_id]
        assert together[thread_id] == {"comments": alone["comments"], "likes": alone["likes"]}
    assert together["t-a"]["likes"] == 1 and together["t-e"] == {"comments": [], "likes": 0}
    assert together["t-b"]["comments"][0]["deleted"] is True
