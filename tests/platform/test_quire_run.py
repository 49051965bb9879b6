"""`quire run`: the newcomer's whole platform, as a real process tree on loopback.

One `quire run` process starts the API on SQLite, an embedded Redis, a worker process and a
local-folder bucket, and serves the bucket and the API on one port. The test walks the
newcomer's path: sign in as the printed admin, submit a post, approve it, see it live,
comment on it.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_a_newcomer_signs_in_submits_approves_and_comments(platform) -> None:
    base, password, proc = platform
    api = httpx.Client(base_url=base, headers={"Origin": base}, timeout=10)
    home = api.get("/")
    assert home.status_code == 200 and "<main" in home.text  # the starter site is live

    signin = api.post(
        "/api/auth/signin", json={"email": "admin@quire.localhost", "password": password}
    )
    assert signin.status_code == 200, signin.text

    page = _publish(api, "Hello from the inbox", "First **post** through the inbox.")
    assert "<strong>post</strong>" in page.text
    # A second approval, well after the worker started, must reach it through the shared
    # Redis within seconds, not through the 30-second reconciler.
    second = _publish(api, "A second post", "Second body.", within=15)
    assert "Second body." in second.text

    thread = re.search(r'data-quire-thread="([^"]+)"', page.text)
    assert thread, "the article page carries no comment thread id"
    comment = api.post(
        f"/api/threads/{thread.group(1)}/comments", json={"body": "Congratulations!"}
    )
    assert comment.status_code == 201, comment.text
    listing = api.get(f"/api/threads/{thread.group(1)}/comments").json()
    assert [c["html"].strip() for c in listing["comments"]] == ["<p>Congratulations!</p>"]
    assert proc.poll() is None  # still serving


def _publish(api: httpx.Client, title: str, body: str, *, within: float = 60) -> httpx.Response:
    """Submit and approve a post as the admin; return its live page once the worker built it."""
    created = api.post("/api/inbox/submissions", json={"title": title, "body": body})
    assert created.status_code == 201, created.text
    sub = created.json()
    submitted = api.post(
        f"/api/inbox/submissions/{sub['id']}/actions/submit", json={"version": sub["version"]}
    )
    assert submitted.status_code == 200, submitted.text
    approved = api.post(
        f"/api/inbox/submissions/{sub['id']}/approve", json={"version": submitted.json()["version"]}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["build"] == "queued"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:  # the worker process builds and publishes it
        page = api.get(f"/posts/{sub['slug']}/")
        if page.status_code == 200:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{title!r} was not live {within} s after its approval")
