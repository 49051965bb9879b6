"""The search refresh job, kept for jobs queued by earlier versions.

Builds used to publish with the previous search index (Pagefind took tens of seconds on a
large site) and queue a refresh here. Every build now updates the index with the pages
(builder.search_index), so nothing queues a refresh any more; a refresh still waiting in
Redis only publishes the output again (interactions_api.worker.buildjob). Jobs go on
the worker's second queue, behind builds; one waiting per site (coalesced).
"""

from __future__ import annotations

from typing import Any

from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.config import Settings
from interactions_api.services.outbox import EnqueueResult, enqueue_coalesced, site_job_options

SEARCH_JOB = "interactions_api.worker.jobs.refresh_search"
SEARCH_QUEUE = "default"  # the worker's queue after builds (see interactions_api.worker.process)


def search_job_ids(site: str) -> tuple[str, str]:
    """The job id of a site's refresh, and of the one follow-up queued while it runs."""
    return f"quire-search-{site}", f"quire-search-{site}-next"


def request_refresh(redis: Any, settings: Settings) -> EnqueueResult:
    """Queue the site's refresh unless one is waiting already (see enqueue_coalesced)."""
    return enqueue_coalesced(
        redis,
        search_job_ids(settings.site_id),
        lambda job_id: _enqueue(redis, settings, job_id),
    )


def _enqueue(redis: Any, settings: Settings, job_id: str) -> None:
    description = f"refresh the search index of site {settings.site_id}"
    options = site_job_options(settings, job_id, description)
    Queue(SEARCH_QUEUE, connection=redis, serializer=JSONSerializer).enqueue(SEARCH_JOB, **options)
