"""The held-comments page (`/api/moderation/ui/`): an editor approves or removes comments
with plain forms; everyone else gets an HTML page saying what to do (issue 19 item 10)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, listing, member, posted
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.models.user import Role
from interactions_api.security import csrf_token
from interactions_api.services.outbox import BUILD_QUEUE

UI = "/api/moderation/ui/"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"comments_per_minute": 1000, "moderation": "all"}


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def _decide(editor: Any, page: str, comment_id: int, action: str) -> Any:
    url = f"{UI}{comment_id}/{action}"
    return editor.post(url, data={"csrf_token": _csrf(page)}, follow_redirects=False)


def test_an_editor_approves_and_removes_held_comments_from_the_page(
    app: FastAPI, client: Any, make_user: Any, manifest: Any, redis: Any
) -> None:
    manifest(THREAD)
    reader = member(app, make_user, display_name="Rita <i>Reader</i>")
    good = posted(reader, "Fine words <script>alert(1)</script>")
    bad = posted(reader, "Buy pills")
    assert listing(client)["comments"] == []  # both held
    editor = member(app, make_user, Role.editor)

    page = editor.get(UI)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Fine words &lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # text, escaped
    assert "Rita &lt;i&gt;Reader&lt;/i&gt;" in page.text
    assert f'<a href="/posts/{THREAD}/">Post {THREAD}</a>' in page.text
    assert "<script>" not in page.text

    approved = _decide(editor, page.text, good["id"], "approve")
    assert approved.status_code == 303 and approved.headers["location"] == f"{UI}?done=approve"
    assert [c["id"] for c in listing(client)["comments"]] == [good["id"]]
    # Through the same service as the API: the baked page follows (one coalesced build).
    assert Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer).count == 1

    page = editor.get(f"{UI}?done=approve")
    assert "Approved" in page.text and "Fine words" not in page.text
    removed = _decide(editor, page.text, bad["id"], "remove")
    assert removed.status_code == 303
    page = editor.get(UI)
    assert "Buy pills" not in page.text and "No comment is waiting." in page.text
    assert [c["id"] for c in listing(client)["comments"]] == [good["id"]]

    gone = _decide(editor, page.text, 999_999, "approve")
    assert gone.status_code == 404 and "No comment 999999." in gone.text


def test_signed_out_and_readers_get_html_pages_not_json(
    app: FastAPI, client: Any, make_user: Any
) -> None:
    signed_out = client.get(UI)
    assert signed_out.status_code == 401
    assert signed_out.headers["content-type"].startswith("text/html")
    # the shared sign-in form, which brings the editor back to this page
    assert f'name="next" value="{UI}"' in signed_out.text
    reader = member(app, make_user)
    denied = reader.get(UI)
    assert denied.status_code == 403 and denied.headers["content-type"].startswith("text/html")
    assert "needs the editor" in denied.text
    session = reader.headers["Cookie"].split("=", 1)[1]
    token = csrf_token(app.state.settings, session)  # what any page would give this reader
    form = reader.post(f"{UI}1/approve", data={"csrf_token": token})
    assert form.status_code == 403 and "needs the editor" in form.text


def test_studio_links_held_comments_for_editors_only(app: FastAPI, make_user: Any) -> None:
    editor = member(app, make_user, Role.editor)
    author = member(app, make_user, Role.author)
    assert 'href="/studio/comments"' in editor.get("/studio/").text
    assert 'href="/studio/comments"' not in author.get("/studio/").text
