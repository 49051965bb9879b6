"""The search refresh: re-index the site after its pages went live, in a follow-up job.

Pagefind takes tens of seconds on a large site, so the build job publishes the pages
with the previous search index (the builder marks it stale: builder.search) and then
queues a refresh here, coalesced: one waiting per site. The refresh job takes the same
site lock as builds, re-indexes only while the index is marked stale (a second refresh
after one that covered the pages only re-publishes, a no-op), then publishes. A lost job
or a failed Pagefind run is made up by the next build, which asks again while the mark
is there.

Jobs go on the worker's second queue, behind builds: a build queued while a refresh
waits runs first, and an approved post never waits for Pagefind.
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
