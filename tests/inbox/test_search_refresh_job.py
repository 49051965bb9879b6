"""Issue #20: the build job updates the search index with the pages, so an approved post
is found by the published site's search as soon as it is live, and no follow-up job is
queued (real Redis, rq workers and a local-folder bucket)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inbox_helpers import approve, builds, submit
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.worker.search import SEARCH_QUEUE

ZEPPELIN = {"title": "Zeppelin season", "body": "Airships over the harbour at dawn.\n"}


def indexed(bucket: Path) -> dict[str, str]:
    """The published search index: every page's URL and its indexed text."""
    docs = [json.loads(p.read_bytes()) for p in (bucket / "search" / "d").glob("*.json")]
    return {doc["u"]: doc["x"] for doc in docs}


def shard_words(bucket: Path) -> set[str]:
    meta = json.loads((bucket / "search" / "meta.json").read_bytes())
    words: set[str] = set()
    for key in meta["shards"]:
        words |= set(json.loads((bucket / "search" / "t" / f"{key}.json").read_bytes()))
    return words


def waiting_refreshes(redis: Any) -> list[str]:
    return list(Queue(SEARCH_QUEUE, connection=redis, serializer=JSONSerializer).job_ids)


def test_an_approved_post_is_searchable_once_its_build_is_published(
    author: Any, editor: Any, work: Any, bucket: Path, engine: Any, redis: Any
) -> None:
    approve(editor, submit(author))
    work()
    assert "/posts/hello-from-the-inbox/" in indexed(bucket)
    approve(editor, submit(author, **ZEPPELIN))
    work()
    assert "Airships over the harbour at dawn." in indexed(bucket)["/posts/zeppelin-season/"]
    assert {"airships", "zeppelin"} <= shard_words(bucket)
    log = builds(engine)[-1].log
    assert "file(s) updated by this build" in log and "search refresh" not in log
    assert waiting_refreshes(redis) == []
