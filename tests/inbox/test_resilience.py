"""Nothing approved is ever lost: Redis down, bad content, missed schedules."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis as redis_lib
from fastapi import FastAPI
from inbox_helpers import approve, builds, detail, snapshot, submit
from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.services.contentrepo import Identity
from interactions_api.services.outbox import enqueue_build, owe_publish
from interactions_api.worker.reconcile import reconcile_safely


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_redis_down_during_approval_then_back(
    app: FastAPI,
    author: Any,
    editor: Any,
    work: Any,
    bucket: Path,
    redis: Any,
    settings: Settings,
    engine: Any,
) -> None:
    sub = submit(author)
    # Redis goes away: nothing listens on this port any more.
    app.state.redis = redis_lib.Redis(port=_closed_port(), socket_connect_timeout=0.5)

    response = approve(editor, sub)

    assert response.status_code == 200, response.text
    assert response.json()["build"] == "pending"
    assert response.json()["submission"]["status"] == "approved"
    work()  # the queue is empty: the approval never reached it
    assert not (bucket / "posts" / "hello-from-the-inbox" / "index.html").exists()

    # Redis is back; a worker starts and its reconciler finds the approval in the outbox.
    found = reconcile_safely(engine, redis, settings)
    assert found == {"due": 1, "scheduled": 0}
    work()

    assert (bucket / "posts" / "hello-from-the-inbox" / "index.html").is_file()
    assert detail(author, sub)["submission"]["status"] == "published"
    assert reconcile_safely(engine, redis, settings) == {"due": 0, "scheduled": 0}


def test_bad_push_leaves_the_site_unchanged_and_records_the_error(
    author: Any,
    editor: Any,
    work: Any,
    bucket: Path,
    redis: Any,
    settings: Settings,
    engine: Any,
    content_repo: Any,
) -> None:
    approve(editor, submit(author))
    work()
    before = snapshot(bucket)
    # Someone with repository access pushes a post whose front matter is broken.
    content_repo.commit(
        {"content/posts/broken.md": b"---\ntitle: [unclosed\ndate: 2024-01-01\n---\nText\n"},
        message="Add a broken post",
        author=Identity("Pusher", "pusher@example.org"),
        committer=Identity("Pusher", "pusher@example.org"),
    )
    with Session(engine) as db:
        owe_publish(db, settings.site_id, "push")
        db.commit()
    assert enqueue_build(redis, settings) == "queued"

    work()

    assert snapshot(bucket) == before
    last = builds(engine)[-1]
    assert last.status == "failed"
    assert any("content/posts/broken.md" in e and "invalid YAML" in e for e in last.errors)
    # Failed content is not retried forever: nothing is owed any more.
    assert reconcile_safely(engine, redis, settings) == {"due": 0, "scheduled": 0}


def test_a_submission_that_breaks_the_build_is_sent_back_and_taken_out(
    author: Any, editor: Any, work: Any, bucket: Path, engine: Any, content_repo: Any
) -> None:
    work()  # nothing queued yet: publishes nothing
    approve(editor, submit(author, title="First"))
    work()
    before = snapshot(bucket)
    # The starter site already has a post at /posts/welcome/: this one clashes with it.
    clash = submit(author, title="Welcome")
    assert approve(editor, clash).status_code == 200

    work()

    assert snapshot(bucket) == before
    info = detail(author, clash)
    assert info["submission"]["status"] == "changes_requested"
    assert info["build"] == "failed"
    failure = info["history"][-1]
    assert failure["action"] == "build_failed"
    assert "content/posts/welcome.md" in failure["detail"]
    assert content_repo.read("content/posts/welcome.md") is None  # taken back out
    # The site is not blocked: the next approval publishes.
    good = submit(author, title="Second")
    approve(editor, good)
    work()
    assert (bucket / "posts" / "second" / "index.html").is_file()
    assert builds(engine)[-1].status == "succeeded"


def test_scheduled_post_goes_live_at_its_time(
    author: Any, editor: Any, work: Any, bucket: Path
) -> None:
    sub = submit(author)
    at = datetime.now(UTC) + timedelta(seconds=2)
    response = approve(editor, sub, publish_at=at.isoformat())
    assert response.status_code == 200, response.text
    assert response.json()["build"] == "scheduled"
    assert response.json()["submission"]["status"] == "scheduled"
    page = bucket / "posts" / "hello-from-the-inbox" / "index.html"

    work(scheduler=True)
    assert not page.exists()

    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.2)
    work(scheduler=True)  # the RQ scheduler moves the due job to the queue
    assert page.is_file()
    assert detail(author, sub)["submission"]["status"] == "published"


def test_worker_starting_after_a_missed_schedule_publishes_at_once(
    author: Any,
    editor: Any,
    work: Any,
    bucket: Path,
    redis: Any,
    settings: Settings,
    engine: Any,
) -> None:
    sub = submit(author)
    at = datetime.now(UTC) + timedelta(seconds=1)
    assert approve(editor, sub, publish_at=at.isoformat()).json()["build"] == "scheduled"
    redis.flushall()  # the scheduled job is lost (Redis restarted without persistence)
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.1)

    assert reconcile_safely(engine, redis, settings) == {"due": 1, "scheduled": 0}
    work()

    assert (bucket / "posts" / "hello-from-the-inbox" / "index.html").is_file()
    text = (bucket / "posts" / "hello-from-the-inbox" / "index.html").read_text()
    assert at.strftime("%Y") in text
