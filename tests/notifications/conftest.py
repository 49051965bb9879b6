"""Fixtures for the reply-notification tests: B1's API fixtures plus a real SMTP server.

The API fixtures (databases, app, users, Redis, aiosmtpd, `run_jobs` with rq's
SimpleWorker) come from tests/api/conftest.py by a plain import; the mail job builds its
own Settings from QUIRE_* variables, as the worker does in production.
"""

from __future__ import annotations

import sys
from pathlib import Path

# tests/api/conftest.py imports its helper module (api_client) by its bare name.
sys.path.insert(0, str(Path(__file__).parent.parent / "api"))

from typing import Any

import pytest

from tests.api.conftest import (
    Mailbox,
    _clean_quire_env,
    _sqlite_template,
    app,
    client,
    database_url,
    make_settings,
    make_user,
    manifest,
    redis,
    redis_server,
    run_jobs,
    settings,
    smtp_server,
)

__all__ = [
    "_clean_quire_env",
    "_sqlite_template",
    "app",
    "client",
    "database_url",
    "make_settings",
    "make_user",
    "manifest",
    "redis",
    "redis_server",
    "run_jobs",
    "settings",
    "smtp_server",
]


@pytest.fixture
def settings_overrides(smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Mail to the test's SMTP server; no moderation unless a test asks for it."""
    smtp = {
        "smtp_host": smtp_server.host,
        "smtp_port": smtp_server.port,
        "smtp_starttls": False,
        "smtp_from": "Quire <noreply@quire.test>",
    }
    for name, value in smtp.items():  # the mail job reads the worker's environment
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return {**smtp, "moderation": "none", "public_url": "https://blog.example.com"}
