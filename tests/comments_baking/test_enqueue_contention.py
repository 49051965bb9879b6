"""A comment post never waits on another request's enqueue while a build is queued."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.models.user import Role
from interactions_api.services.outbox import BUILD_QUEUE

THREAD = "hello-world"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    # Every comment goes live at once, so each one owes a rebake.
    return {**settings_overrides, "comments_per_minute": 1000, "moderation": "none"}


def test_a_comment_is_answered_at_once_while_another_request_holds_the_enqueue_lock(
    manifest: Callable[..., Any], user_client: Callable[..., Any], redis: Any, settings: Any
) -> None:
    manifest(THREAD)
    reader = user_client(Role.reader)
    url = f"/api/threads/{THREAD}/comments"
    assert reader.post(url, json={"body": "First"}).status_code == 201  # queues the build
    queue = Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer)
    assert queue.count == 1
    # Another API process is in the middle of its own enqueue (under load: many are).
    other = redis.lock(f"quire-enqueue-{settings.site_id}", timeout=30)
    assert other.acquire(blocking=False)
    try:
        began = time.monotonic()
        response = reader.post(url, json={"body": "Second"})
        seconds = time.monotonic() - began
    finally:
        other.release()
    assert response.status_code == 201, response.text
    # The queued build has not started: it will publish this comment too, so there is
    # nothing to enqueue and nothing to wait for (it waited 10 s on the lock before).
    assert seconds < 2, f"the post waited {seconds:.1f} s for another request's enqueue"
    assert queue.count == 1
