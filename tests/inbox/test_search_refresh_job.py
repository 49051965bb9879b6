"""Issue #6: an approved post goes live without waiting for Pagefind; the search index
follows in a background job (real Redis, rq workers, Pagefind and a local-folder bucket).

The build job runs on the builds queue (`work()`); the refresh it queues runs on the
worker's second queue (`refresh()` here), so a test sees the site between the two.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from inbox_helpers import approve, builds, submit
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from interactions_api.config import Settings
from interactions_api.worker.search import SEARCH_QUEUE, search_job_ids
from tests.rq_burst import BurstWorker

ZEPPELIN = {"title": "Zeppelin season", "body": "Airships over the harbour at dawn.\n"}


@pytest.fixture
def refresh(redis: Any, worker_env: None, settings: Settings) -> Callable[[], None]:
    """`refresh()` runs the queued search refresh jobs with rq's SimpleWorker (burst)."""

    def _run() -> None:
        connection = redis_lib.Redis(unix_socket_path=redis.socket_file)
        queue = Queue(SEARCH_QUEUE, connection=connection, serializer=JSONSerializer)
        BurstWorker([queue], connection=connection, serializer=JSONSerializer, worker_ttl=10).work(
            burst=True
        )
        connection.close()

    return _run


def indexed(bucket: Path) -> dict[str, str]:
    """The published search index: every page's URL and its indexed text."""
    fragments = (bucket / "pagefind" / "fragment").glob("*.pf_fragment")
    pages = [json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd") :]) for f in fragments]
    return {page["url"]: page["content"] for page in pages}


def page_count(bucket: Path) -> int:
    entry = json.loads((bucket / "pagefind" / "pagefind-entry.json").read_bytes())
    return sum(language["page_count"] for language in entry["languages"].values())


def waiting_refreshes(redis: Any) -> list[str]:
    return list(Queue(SEARCH_QUEUE, connection=redis, serializer=JSONSerializer).job_ids)


def test_an_approved_post_is_live_before_the_search_index_catches_up(
    author: Any,
    editor: Any,
    work: Any,
    refresh: Any,
    bucket: Path,
    engine: Any,
    redis: Any,
    settings: Settings,
) -> None:
    approve(editor, submit(author))
    work()  # the site's first build: there is no index to keep, it is built at once
    assert "search index: rebuilt by this build" in builds(engine)[0].log
    assert waiting_refreshes(redis) == []
    entry = (bucket / "pagefind" / "pagefind-entry.json").read_bytes()
    before = page_count(bucket)
    assert "/posts/hello-from-the-inbox/" in indexed(bucket)

    approve(editor, submit(author, **ZEPPELIN))
    work()

    page = bucket / "posts" / "zeppelin-season" / "index.html"
    assert "Airships over the harbour" in page.read_text(encoding="utf-8")  # live now
    log = builds(engine)[-1].log
    assert "search index: kept, behind the pages; refreshed after publishing" in log
    assert f"search refresh queued ({search_job_ids(settings.site_id)[0]})" in log
    assert "rebuilt by this build" not in log  # Pagefind did not run in the build job
    assert (bucket / "pagefind" / "pagefind-entry.json").read_bytes() == entry
    assert "/posts/zeppelin-season/" not in indexed(bucket)
    assert waiting_refreshes(redis) == [search_job_ids(settings.site_id)[0]]

    refresh()

    assert "Airships over the harbour at dawn." in indexed(bucket)["/posts/zeppelin-season/"]
    assert page_count(bucket) == before + 1
    job_id = search_job_ids(settings.site_id)[0]
    result = Job.fetch(job_id, connection=redis, serializer=JSONSerializer).return_value()
    assert result["ok"] is True
    assert any(line.startswith("pagefind: ") for line in result["log"])
    assert len(builds(engine)) == 2  # the refresh is not a build in the author's inbox


def test_refreshes_coalesce_and_one_run_indexes_every_new_post(
    author: Any,
    editor: Any,
    work: Any,
    refresh: Any,
    bucket: Path,
    engine: Any,
    redis: Any,
    settings: Settings,
) -> None:
    approve(editor, submit(author))
    work()
    approve(editor, submit(author, **ZEPPELIN))
    work()
    approve(editor, submit(author, title="Balloon races", body="Hot air over the fields.\n"))
    work()  # a refresh is still waiting: this build adds none

    assert "search refresh coalesced" in builds(engine)[-1].log
    assert waiting_refreshes(redis) == [search_job_ids(settings.site_id)[0]]
    assert (bucket / "posts" / "balloon-races" / "index.html").is_file()

    refresh()

    pages = indexed(bucket)
    assert {"/posts/zeppelin-season/", "/posts/balloon-races/"} <= set(pages)
    assert waiting_refreshes(redis) == []
