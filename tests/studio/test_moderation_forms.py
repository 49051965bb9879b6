"""Studio's moderation screens without a browser: the comment queue with bulk decisions,
a commenter's history, bans, blocked words and the moderation mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, listing, member, posted
from rq import Queue
from rq.serializers import JSONSerializer
from studio_admin_forms import browser_as, csrf, post_form

from interactions_api.models.user import Role
from interactions_api.services.outbox import BUILD_QUEUE

COMMENTS = "/studio/comments"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**settings_overrides, "comments_per_minute": 1000, "moderation": "all"}


def test_bulk_decisions_publish_and_the_page_escapes_text(
    app: FastAPI, client: Any, make_user: Any, manifest: Any, redis: Any
) -> None:
    manifest(THREAD)
    reader = member(app, make_user, display_name="Rita <i>Reader</i>")
    good = posted(reader, "Fine words <script>alert(1)</script>")
    also = posted(reader, "More fine words")
    bad = posted(reader, "Buy pills")
    editor = browser_as(app, make_user(Role.editor))

    queue = editor.get(COMMENTS)
    assert queue.status_code == 200 and "Fine words &lt;script&gt;" in queue.text
    assert "Rita &lt;i&gt;Reader&lt;/i&gt;" in queue.text and "<script>alert" not in queue.text
    assert f'<a href="/posts/{THREAD}/#comment-{good["id"]}">Post {THREAD}</a>' in queue.text
    done = editor.post(f"{COMMENTS}/bulk", follow_redirects=False, data={
        "csrf_token": csrf(queue.text), "status": "pending", "action": "approve",
        "ids": [good["id"], also["id"], 999_999]})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"{COMMENTS}?status=pending"
    assert "Approved: 2 comments; the site updates" in editor.get(done.headers["location"]).text
    assert {c["id"] for c in listing(client)["comments"]} == {good["id"], also["id"]}
    # the same service as the JSON API: one coalesced re-publish of the baked pages
    assert Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer).count == 1

    spam = post_form(editor, COMMENTS, f"{COMMENTS}/bulk", action="spam", ids=bad["id"])
    assert spam.status_code == 303
    assert "Buy pills" in editor.get(f"{COMMENTS}?status=spam").text
    assert "No comment is waiting." in editor.get(COMMENTS).text


def test_bulk_form_errors_and_refusals(app: FastAPI, make_user: Any) -> None:
    editor = browser_as(app, make_user(Role.editor))
    none = post_form(editor, COMMENTS, f"{COMMENTS}/bulk", action="approve")
    assert "Tick at least one comment first." in editor.get(none.headers["location"]).text
    odd = post_form(editor, COMMENTS, f"{COMMENTS}/bulk", action="launch", ids="1")
    assert "Choose what to do" in editor.get(odd.headers["location"]).text
    forged = editor.post(f"{COMMENTS}/bulk", data={"csrf_token": "x", "action": "approve"})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    author = browser_as(app, make_user(Role.author, display_name="Aut Hor"))
    for path in (COMMENTS, "/studio/bans", "/studio/words", "/studio/comments/authors/1"):
        refused = author.get(path)
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert "needs the editor role" in refused.text and "Aut Hor" in refused.text


def test_history_ban_and_lift(app: FastAPI, make_user: Any, manifest: Any) -> None:
    manifest(THREAD)
    reader = member(app, make_user, display_name="Bo Ban")
    posted(reader, "first words")
    editor = browser_as(app, make_user(Role.editor))
    history = editor.get(f"{COMMENTS}/authors/{reader.user.id}")
    assert (
        history.status_code == 200 and "first words" in history.text and "1 pending" in history.text
    )

    bad = post_form(editor, "/studio/bans", "/studio/bans", email="nobody@example.org", days="0")
    assert bad.status_code == 422
    assert "There is no account with the address" in bad.text and "from 1 to 3650" in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert 'min="1" max="3650"' in bad.text, "a field's extra attributes are markup, unescaped"
    banned = post_form(editor, "/studio/bans", "/studio/bans", user_id=str(reader.user.id),
                       days="7", reason="spam <b>links</b>")  # fmt: skip
    assert banned.status_code == 303
    page = editor.get("/studio/bans")
    assert "Bo Ban is banned for 7 days." in page.text and "spam &lt;b&gt;links" in page.text
    refused = reader.post(f"/api/threads/{THREAD}/comments", json={"body": "again"})
    assert refused.status_code == 403 and refused.json()["code"] == "banned"

    lifted = post_form(editor, "/studio/bans", f"/studio/bans/{reader.user.id}/lift")
    assert lifted.status_code == 303
    assert "Nobody is banned." in editor.get("/studio/bans").text
    assert reader.post(f"/api/threads/{THREAD}/comments", json={"body": "ok"}).status_code == 201
    peer = make_user(Role.editor)
    same = post_form(editor, "/studio/bans", "/studio/bans", email=peer.email, days="3")
    assert same.status_code == 422 and "Only a higher role can ban" in same.text


def test_words_and_mode(app: FastAPI, make_user: Any, manifest: Any) -> None:
    manifest(THREAD)
    editor = browser_as(app, make_user(Role.editor))
    empty = post_form(editor, "/studio/words", "/studio/words", word="  ")
    assert empty.status_code == 422 and "Enter a word or phrase" in empty.text
    added = post_form(editor, "/studio/words", "/studio/words", word="Casino")
    assert added.status_code == 303 and ">casino</span>" in editor.get("/studio/words").text
    mode = post_form(editor, "/studio/words", "/studio/words/mode", mode="none")
    assert mode.status_code == 303
    reader = member(app, make_user)
    assert posted(reader, "plain words")["status"] == "approved", "mode none: published"
    assert posted(reader, "visit the casino")["status"] == "pending", "a blocked word waits"
    assert editor.get("/api/moderation/mode").json() == {"mode": "none"}
    wrong = post_form(editor, "/studio/words", "/studio/words/mode", mode="some")
    assert wrong.status_code == 422 and "Choose a moderation mode" in wrong.text
    removed = post_form(editor, "/studio/words", "/studio/words/remove", word="casino")
    assert removed.status_code == 303 and "No word is blocked." in editor.get("/studio/words").text


def test_old_moderation_page_leads_to_studio(app: FastAPI) -> None:
    old = browser_as(app).get("/api/moderation/ui/", follow_redirects=False)
    assert old.status_code == 308 and old.headers["location"] == COMMENTS


def test_reported_comments_wait_in_their_tab_until_an_editor_decides(
    app: FastAPI, client: Any, make_user: Any, manifest: Any
) -> None:
    manifest(THREAD)
    writer = member(app, make_user, display_name="Wes Writer")
    editor = browser_as(app, make_user(Role.editor))
    mode = post_form(editor, "/studio/words", "/studio/words/mode", mode="none")
    assert mode.status_code == 303
    rude, fine = posted(writer, "rude words"), posted(writer, "fine words")
    for n in range(2):
        reader = member(app, make_user)
        said = reader.post(f"/api/comments/{rude['id']}/report", json={"reason": f"rude <{n}>"})
        assert said.status_code == 202 and said.json() == {"reported": True}
        again = reader.post(f"/api/comments/{rude['id']}/report", json={})
        assert again.status_code == 202, "reporting again changes nothing"
    member(app, make_user).post(f"/api/comments/{fine['id']}/report", json={})
    missing = member(app, make_user).post("/api/comments/999999/report", json={})
    assert missing.status_code == 404
    assert client.post(f"/api/comments/{fine['id']}/report", json={}).status_code == 401

    tab = editor.get(f"{COMMENTS}?status=reported")
    assert "2 reports: “rude &lt;0&gt;”; “rude &lt;1&gt;”" in tab.text and ">Keep<" in tab.text
    assert tab.text.index("rude words") < tab.text.index("fine words"), "most reported first"
    assert editor.get("/api/moderation/reports").json()["total"] == 2
    kept = post_form(editor, f"{COMMENTS}?status=reported", f"{COMMENTS}/bulk",
                     status="reported", action="approve", ids=fine["id"])  # fmt: skip
    removed = post_form(editor, f"{COMMENTS}?status=reported", f"{COMMENTS}/bulk",
                        status="reported", action="reject", ids=rude["id"])  # fmt: skip
    assert kept.status_code == removed.status_code == 303
    assert "No comment is reported." in editor.get(removed.headers["location"]).text
    assert [c["id"] for c in listing(client)["comments"]] == [fine["id"]]
