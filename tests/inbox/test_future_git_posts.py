"""A future-dated post pushed with git goes live on its date, like an inbox schedule."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.services.contentrepo import ContentRepo, Identity
from interactions_api.services.outbox import enqueue_build, outstanding, owe_publish
from interactions_api.worker.reconcile import reconcile_safely


def _push_post(repo: ContentRepo, at: datetime) -> None:
    text = f"---\ntitle: Pushed for later\ndate: {at.isoformat()}\n---\n\nOn its date.\n"
    pusher = Identity("Pusher", "pusher@example.org")
    repo.commit(
        {"content/posts/pushed-for-later.md": text.encode()},
        message="A post for later",
        author=pusher,
        committer=pusher,
    )


def _owe_build(engine: Any, redis: Any, settings: Settings) -> None:
    with Session(engine) as db:  # what the push hook and the forge webhooks record
        owe_publish(db, settings.site_id, "push")
        db.commit()
    enqueue_build(redis, settings)


def test_a_post_pushed_for_later_is_published_on_its_date(
    content_repo: ContentRepo, engine: Any, redis: Any, settings: Settings, work: Any, bucket: Path
) -> None:
    at = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    _push_post(content_repo, at)
    _owe_build(engine, redis, settings)
    work(scheduler=True)
    page = bucket / "posts" / "pushed-for-later" / "index.html"
    assert (bucket / "index.html").is_file() and not page.exists()
    with Session(engine) as db:  # owed in the database: a restarted worker remembers it
        assert [e.reason for e in outstanding(db, settings.site_id)] == ["future"]

    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.3)
    work(scheduler=True)  # the RQ scheduler moves the due build to the queue
    assert page.is_file()
    assert "Pushed for later" in (bucket / "index.html").read_text(encoding="utf-8")
    with Session(engine) as db:
        assert outstanding(db, settings.site_id) == []


def test_a_lost_schedule_for_a_pushed_post_is_recovered_by_the_reconciler(
    content_repo: ContentRepo, engine: Any, redis: Any, settings: Settings, work: Any, bucket: Path
) -> None:
    at = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
    _push_post(content_repo, at)
    _owe_build(engine, redis, settings)
    work()
    redis.flushall()  # Redis restarted without persistence: the scheduled build is gone
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.3)
    assert reconcile_safely(engine, redis, settings) == {"due": 1, "scheduled": 0}
    work()
    assert (bucket / "posts" / "pushed-for-later" / "index.html").is_file()
