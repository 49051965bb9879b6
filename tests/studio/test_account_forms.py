"""Studio's account pages without a browser: profile and password forms (happy path,
errors by field, CSRF refused), and the lists (bookmarks, comments)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlmodel import Session
from studio_http import PASSWORD, browser_client, field_error, post_form, sign_in

from interactions_api.models.comment import Bookmark, Comment
from interactions_api.models.user import Role, User

PROFILE = "/studio/account/profile"
PASSWORD_PAGE = "/studio/account/password"


def _reload(app: FastAPI, user: User) -> User:
    with Session(app.state.engine) as db:
        found = db.get(User, user.id)
        assert found is not None
        return found


def test_the_profile_is_saved_from_a_plain_form(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.author)
    browser = browser_client(app)
    sign_in(browser, user.email)
    fields = {
        "display_name": "Ada <L>",
        "bio": "Writes  about\nengines.",
        "website": "https://ada.example/",
    }
    saved = post_form(browser, PROFILE, PROFILE, fields)
    assert saved.status_code == 303 and saved.headers["location"] == PROFILE
    page = browser.get(PROFILE)
    assert "Your profile is saved." in page.text and 'value="Ada &lt;L&gt;"' in page.text
    stored = _reload(app, user)
    assert (stored.display_name, stored.bio, stored.website) == (
        "Ada <L>", "Writes  about\nengines.", "https://ada.example/",
    )  # fmt: skip


def test_profile_errors_are_named_by_field_and_nothing_is_saved(
    app: FastAPI, make_user: Any
) -> None:
    user = make_user(Role.reader, display_name="Before")
    browser = browser_client(app)
    sign_in(browser, user.email)
    fields = {"display_name": "  ", "bio": "fine", "website": "javascript:alert(1)"}
    refused = post_form(browser, PROFILE, PROFILE, fields)
    assert refused.status_code == 422
    assert field_error(refused.text, "display_name") == "The display name cannot be empty."
    assert (
        field_error(refused.text, "website")
        == "The website must be an http:// or https:// address."
    )
    assert field_error(refused.text, "bio") is None
    assert "2 fields need a change" in refused.text and 'href="#website"' in refused.text
    assert 'value="javascript:alert(1)"' in refused.text, "what was typed is kept"
    assert _reload(app, user).display_name == "Before" and _reload(app, user).bio == ""


def test_a_profile_form_without_its_token_is_refused(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.reader, display_name="Before")
    browser = browser_client(app)
    sign_in(browser, user.email)
    refused = browser.post(PROFILE, data={"csrf_token": "forged", "display_name": "After"})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert _reload(app, user).display_name == "Before"


def test_changing_the_password_ends_other_sessions_and_tokens(
    app: FastAPI, make_user: Any, user_client: Any
) -> None:
    user = make_user(Role.reader, email="pw@example.org")
    elsewhere = browser_client(app)
    sign_in(elsewhere, user.email)
    browser = browser_client(app)
    sign_in(browser, user.email)
    token = browser.post("/api/me/tokens", json={"name": "script"}).json()["token"]
    new = "an entirely new passphrase"
    changed = post_form(browser, PASSWORD_PAGE, PASSWORD_PAGE,
                        {"current": PASSWORD, "new": new, "confirm": new})  # fmt: skip
    assert changed.status_code == 303
    assert "You were signed out everywhere else" in browser.get(PASSWORD_PAGE).text
    assert elsewhere.get("/studio/", follow_redirects=False).status_code == 303
    scripted = browser_client(app).get(
        "/api/me/profile", headers={"Authorization": f"Bearer {token}"}
    )
    assert scripted.status_code == 401


def test_password_errors_are_named_by_field(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.reader)
    browser = browser_client(app)
    sign_in(browser, user.email)
    cases = [
        ({"current": "wrong password!", "new": "x" * 20, "confirm": "x" * 20}, "current",
         "The current password is wrong."),
        ({"current": PASSWORD, "new": "another good one", "confirm": "typo"}, "confirm",
         "The two new passwords differ; type the same one twice."),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "new", None),
    ]  # fmt: skip
    for fields, name, message in cases:
        refused = post_form(browser, PASSWORD_PAGE, PASSWORD_PAGE, fields)
        assert refused.status_code == 422, fields
        shown = field_error(refused.text, name)
        assert shown and (message is None or shown == message), (name, shown)
    assert browser.get("/studio/", follow_redirects=False).status_code == 200, "still signed in"


def test_bookmarks_and_comments_are_listed_with_links(
    app: FastAPI, make_user: Any, manifest: Any
) -> None:
    manifest("a", "b")
    user = make_user(Role.reader)
    other = make_user(Role.reader)
    with Session(app.state.engine) as db:
        db.add(Bookmark(user_id=user.id, thread_id="a"))
        db.add(Bookmark(user_id=user.id, thread_id="gone"))
        db.add(Comment(thread_id="b", author_id=user.id, body="Mine <b>bold</b>", html="x"))
        db.add(Comment(thread_id="b", author_id=user.id, body="held", status="pending"))
        db.add(Comment(thread_id="b", author_id=user.id, body="removed", deleted=True))
        db.add(Comment(thread_id="a", author_id=other.id, body="not mine"))
        db.commit()
    browser = browser_client(app)
    sign_in(browser, user.email)
    marks = browser.get("/studio/account/bookmarks").text
    assert '<a href="/posts/a/">Post a</a>' in marks and "no longer published" in marks
    mine = browser.get("/studio/account/comments").text
    assert "Mine &lt;b&gt;bold&lt;/b&gt;" in mine and "Waiting for an editor" in mine
    assert 'href="/posts/b/#comment-' in mine
    assert "removed" not in mine and "not mine" not in mine and "2 comments" in mine
    listed = browser.get("/api/me/comments").json()
    assert listed["total"] == 2 and [c["status"] for c in listed["comments"]] == [
        "pending",
        "approved",
    ]


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_avatar_json_face_sets_and_removes_it(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.reader).email)
    token = browser.post("/api/me/tokens", json={"name": "script"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    script = browser_client(app)
    put = script.put("/api/me/avatar", headers=bearer,
                     files={"avatar": ("a.png", _png(), "image/png")})  # fmt: skip
    assert put.status_code == 200 and put.json()["avatar"].startswith("/images/authors/user-")
    assert browser.get("/studio/account/avatar").headers["content-type"] == "image/png"
    bad = script.put(
        "/api/me/avatar", headers=bearer, files={"avatar": ("a.png", b"x", "image/png")}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "image_refused"
    removed = script.request("DELETE", "/api/me/avatar", headers=bearer, json={})
    assert removed.status_code == 204
    gone = browser.get("/studio/account/avatar")
    assert gone.status_code == 404 and "You have no avatar yet." in gone.text
