"""Studio's sessions and API token pages, and their JSON faces (`/api/me/sessions`,
`/api/me/tokens` with an expiry)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session, col, update
from studio_http import browser_client, field_error, post_form, sign_in

from interactions_api.models.common import utcnow
from interactions_api.models.user import ApiToken, Role

SESSIONS = "/studio/account/sessions"
TOKENS = "/studio/account/tokens"


def test_sign_out_another_browser_then_all_others(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.reader)
    here, phone, laptop = browser_client(app), browser_client(app), browser_client(app)
    for b in (here, phone, laptop):
        sign_in(b, user.email)
    page = here.get(SESSIONS).text
    assert page.count("Another browser") == 2 and page.count("This browser") == 1
    listed = here.get("/api/me/sessions").json()["sessions"]
    assert [s["current"] for s in listed] == [False, False, True]  # newest first: laptop
    phone_id = listed[1]["id"]
    ended = post_form(here, SESSIONS, f"{SESSIONS}/{phone_id}/end", {})
    assert ended.status_code == 303 and "That browser is signed out." in here.get(SESSIONS).text
    assert phone.get("/studio/", follow_redirects=False).status_code == 303
    assert laptop.get("/studio/", follow_redirects=False).status_code == 200
    others = post_form(here, SESSIONS, f"{SESSIONS}/end-others", {})
    assert others.status_code == 303 and "1 other browser is signed out." in here.get(SESSIONS).text
    assert laptop.get("/studio/", follow_redirects=False).status_code == 303
    assert here.get("/studio/", follow_redirects=False).status_code == 200


def test_ending_this_browsers_session_signs_it_out(app: FastAPI, make_user: Any) -> None:
    browser, stranger = browser_client(app), browser_client(app)
    sign_in(browser, make_user(Role.reader).email)
    sign_in(stranger, make_user(Role.reader).email)
    mine = browser.get("/api/me/sessions").json()["sessions"][0]["id"]
    refused = post_form(stranger, SESSIONS, f"{SESSIONS}/{mine}/end", {})
    assert refused.status_code == 404 and "You have no session" in refused.text
    out = post_form(browser, SESSIONS, f"{SESSIONS}/{mine}/end", {})
    assert out.status_code == 303 and out.headers["location"] == "/studio/signin"
    assert browser.get("/studio/", follow_redirects=False).status_code == 303


def test_a_token_is_created_shown_once_used_and_revoked(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.reader).email)
    made = post_form(browser, TOKENS, TOKENS, {"name": "backup <script>", "expires": "30"})
    assert made.status_code == 201 and "shown only this once" in made.text
    value = re.search(r'<p class="s-secret" id="new-token">([^<]+)</p>', made.text)
    assert value, made.text
    assert "backup &lt;script&gt;" in made.text
    bearer = {"Authorization": f"Bearer {value.group(1)}"}
    assert browser_client(app).get("/api/me/profile", headers=bearer).status_code == 200
    page = browser.get(TOKENS).text
    assert value.group(1) not in page, "the value is never shown again"
    assert "Never" not in page.split("<tbody>")[1].split("</td>")[2], "last use is recorded"
    token = browser.get("/api/me/tokens").json()["tokens"][0]
    assert token["expires_at"] and token["expired"] is False
    revoked = post_form(browser, TOKENS, f"{TOKENS}/{token['id']}/revoke", {})
    assert revoked.status_code == 303 and "no longer works" in browser.get(TOKENS).text
    assert browser_client(app).get("/api/me/profile", headers=bearer).status_code == 401


def test_token_errors_are_named_by_field(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.reader).email)
    empty = post_form(browser, TOKENS, TOKENS, {"name": "   ", "expires": "30"})
    assert empty.status_code == 422 and field_error(empty.text, "name")
    odd = post_form(browser, TOKENS, TOKENS, {"name": "x", "expires": "12"})
    assert odd.status_code == 422
    assert field_error(odd.text, "expires") == "A token lasts 7, 30, 90, 365 days or never."
    api = browser.post("/api/me/tokens", json={"name": "x", "expires_in_days": 12})
    assert api.status_code == 422 and api.json()["code"] == "invalid_expiry"
    refused = browser.post(TOKENS, data={"csrf_token": "forged", "name": "x", "expires": ""})
    assert refused.status_code == 403 and browser.get("/api/me/tokens").json()["tokens"] == []


def test_an_expired_token_is_refused(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.reader).email)
    made = browser.post("/api/me/tokens", json={"name": "old", "expires_in_days": 7}).json()
    with Session(app.state.engine) as db:
        past = utcnow() - timedelta(seconds=1)
        db.exec(update(ApiToken).where(col(ApiToken.id) == made["id"]).values(expires_at=past))
        db.commit()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert browser_client(app).get("/api/me/profile", headers=bearer).status_code == 401
    assert browser.get("/api/me/tokens").json()["tokens"][0]["expired"] is True
    assert "expired</span>" in browser.get(TOKENS).text
