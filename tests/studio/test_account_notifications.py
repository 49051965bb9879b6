"""Mail preferences from Studio: the switches are saved, and the mails follow them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlmodel import Session
from studio_http import browser_client, post_form, sign_in

from interactions_api.models.comment import Comment
from interactions_api.models.inbox import Submission
from interactions_api.models.user import Role, User
from interactions_api.services import notifications, replies

PAGE = "/studio/account/notifications"


def test_switches_are_saved_and_editors_see_theirs(app: FastAPI, make_user: Any) -> None:
    reader, editor = make_user(Role.reader), make_user(Role.editor)
    browser = browser_client(app)
    sign_in(browser, reader.email)
    form = browser.get(PAGE).text
    assert 'id="replies"' in form and 'id="review"' not in form
    saved = post_form(browser, PAGE, PAGE, {})  # both boxes unticked
    assert saved.status_code == 303 and "preferences are saved" in browser.get(PAGE).text
    assert browser.get("/api/me/notifications").json() == {"replies": False, "review": True}
    boss = browser_client(app)
    sign_in(boss, editor.email)
    assert 'id="review"' in boss.get(PAGE).text
    post_form(boss, PAGE, PAGE, {"replies": "on"})
    assert boss.get("/api/me/notifications").json() == {"replies": True, "review": False}
    put = boss.put("/api/me/notifications", json={"review": True})
    assert put.status_code == 200 and put.json() == {"replies": True, "review": True}


def test_mails_follow_the_preferences(app: FastAPI, make_user: Any) -> None:
    writer, replier = make_user(Role.author), make_user(Role.reader)
    editor = make_user(Role.editor)
    settings = app.state.settings
    with Session(app.state.engine, expire_on_commit=False) as db:
        parent = Comment(thread_id="a", author_id=writer.id, body="q", notify_replies=True)
        db.add(parent)
        db.flush()
        reply = Comment(thread_id="a", author_id=replier.id, body="a", parent_id=parent.id)
        db.add(reply)
        sub = Submission(author_id=writer.id, slug="s")
        db.add(sub)
        db.commit()
        assert replies.reply_mail(db, settings, reply, None) is not None
        assert editor.email in [
            m[0] for m in notifications.messages(db, settings, sub, "T", "submit")
        ]
        for user in (writer, editor):
            row = db.get(User, user.id)
            assert row is not None
            row.mail_replies = row.mail_review = False
            db.add(row)
        db.commit()
        assert replies.reply_mail(db, settings, reply, None) is None
        assert editor.email not in [
            m[0] for m in notifications.messages(db, settings, sub, "T", "submit")
        ]
