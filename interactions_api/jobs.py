"""Jobs queued under their names from before the worker package (`interactions_api.jobs.*`).

RQ finds a job's function by its dotted name when the worker takes it, so a mail or a
build queued just before an upgrade still names this module. These names run the same
jobs; the API enqueues the new names (`interactions_api.worker.jobs`). Remove once no
installation can hold jobs queued by a release older than the worker package.
"""

from __future__ import annotations

from interactions_api.worker.jobs import build_site, refresh_search, send_mail

__all__ = ["build_site", "refresh_search", "send_mail"]
