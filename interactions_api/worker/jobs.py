"""The job registry: every RQ job the worker runs (thin: the work lives elsewhere).

The API enqueues them by dotted name (`interactions_api.worker.jobs.<name>`: the
constants `BUILD_JOB` in services/outbox.py, `SEND_MAIL_JOB` in mail.py, `SEARCH_JOB` in
worker/search.py; tests/api/test_layers.py checks each resolves here) with the JSON
serializer, so it never imports this package. Each job builds its Settings from the
worker's environment, so no secret ever travels through Redis.
"""

from __future__ import annotations

from typing import Any

from rq import get_current_job

from interactions_api import mail
from interactions_api.config import Settings


def send_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> None:
    """Send one mail through the configured SMTP server (`headers`: e.g. List-Unsubscribe)."""
    mail.send_now(Settings(), to=to, subject=subject, body=body, headers=headers)


def build_site(site: str) -> dict[str, Any]:
    """Commit what editors approved, build the site incrementally and publish it."""
    from builder.publish.settings import PublishSettings
    from interactions_api.db import make_engine
    from interactions_api.worker.buildjob import run_build  # the worker's code, lazily

    settings = Settings()
    if site != settings.site_id:
        raise ValueError(f"this worker builds site {settings.site_id!r}, not {site!r}")
    job = get_current_job()  # its connection queues the search refresh that follows
    engine = make_engine(settings.database_url)
    try:
        return run_build(settings, PublishSettings(), engine, job.connection if job else None)
    finally:
        engine.dispose()


def refresh_search(site: str) -> dict[str, Any]:
    """Re-index the built site with Pagefind and publish the index (after a build)."""
    from builder.publish.settings import PublishSettings
    from interactions_api.worker.buildjob import run_search_refresh

    settings = Settings()
    if site != settings.site_id:
        raise ValueError(f"this worker builds site {settings.site_id!r}, not {site!r}")
    return run_search_refresh(settings, PublishSettings())
