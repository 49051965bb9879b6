"""Studio's shell without a browser: sign-in and back, role pages, nav, flash, old URLs."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from studio_http import ORIGIN, browser_client, sign_in

from interactions_api.models.user import Role
from interactions_api.studio.nav import SCREENS
from interactions_api.studio.web import FLASH_COOKIE, done


def _nav(html: str) -> list[str]:
    nav = html.split('<nav class="s-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


def test_signed_out_visitors_go_to_sign_in_and_come_back(app: FastAPI, make_user: Any) -> None:
    editor = make_user(Role.editor)
    browser = browser_client(app)
    for path in ("/studio/", "/studio/review", "/studio/account?tab=1", "/studio/nowhere"):
        answer = browser.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/studio/signin?next=%2Fstudio%2F"), path
        assert "text/html" in browser.get(path).headers["content-type"]
    signed_in = sign_in(browser, editor.email, "/studio/review")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/studio/review"
    assert browser.get("/studio/review").status_code == 200


def test_a_role_lacking_gets_a_studio_page_never_json(app: FastAPI, make_user: Any) -> None:
    reader = make_user(Role.reader, display_name="Rea Der")
    browser = browser_client(app)
    sign_in(browser, reader.email, "/studio/")
    for path in ("/studio/write", "/studio/review", "/studio/users"):
        refused = browser.get(path)
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert "Rea Der" in refused.text and "role" in refused.text
        assert _nav(refused.text) == ["Home", "Account"], "the nav of what the reader may open"
        assert "Sign in with another account" in refused.text


def test_each_role_sees_its_own_nav_and_dashboard(app: FastAPI, make_user: Any) -> None:
    expected = {
        Role.reader: ["Home", "Account"],
        Role.author: ["Home", "Write", "Submissions", "Account"],
        Role.editor: ["Home", "Write", "Submissions", "Review", "Builds", "Comments", "Bans",
                      "Words", "Account"],
        Role.admin: ["Home"] + [s.label for s in SCREENS],
    }  # fmt: skip
    for role, labels in expected.items():
        browser = browser_client(app)
        sign_in(browser, make_user(role).email, "/studio/")
        home = browser.get("/studio/")
        assert home.status_code == 200 and _nav(home.text) == labels, role
        assert 'aria-current="page">Home</a>' in home.text
        for screen in SCREENS:
            assert (f'<h3><a href="{screen.href}">' in home.text) == (role >= screen.role)


def test_a_screen_marks_its_nav_entry_and_an_unknown_page_is_a_404(
    app: FastAPI, make_user: Any
) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.editor).email, "/studio/")
    page = browser.get("/studio/builds")
    assert page.status_code == 200
    assert 'aria-current="page">Builds</a>' in page.text
    missing = browser.get("/studio/nowhere")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "Studio has no page at /studio/nowhere" in missing.text


def test_a_form_without_its_token_is_refused_on_a_studio_page(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    sign_in(browser, make_user(Role.author).email, "/studio/")
    refused = browser.post("/studio/write", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert 'class="s-main' in refused.text and 'href="/studio/"' in refused.text


def test_flash_shows_once_and_a_forged_one_is_ignored(app: FastAPI, make_user: Any) -> None:
    settings = app.state.settings
    browser = browser_client(app)
    sign_in(browser, make_user(Role.reader).email, "/studio/")
    session = f"quire_session={browser.cookies['quire_session']}"
    cookie = done(settings, "/studio/", "Saved <b>now</b>.").headers["set-cookie"]
    value = cookie.split(f"{FLASH_COOKIE}=", 1)[1].split(";", 1)[0]
    plain = TestClient(app, base_url=ORIGIN)  # cookies sent by hand, as the browser would
    shown = plain.get("/studio/", headers={"Cookie": f"{session}; {FLASH_COOKIE}={value}"})
    assert 'role="status">Saved &lt;b&gt;now&lt;/b&gt;.</p>' in shown.text
    assert f'{FLASH_COOKIE}=""' in shown.headers["set-cookie"], "a flash shows once"
    forged = f"{session}; {FLASH_COOKIE}={value[:-2]}00"
    assert "Saved" not in plain.get("/studio/", headers={"Cookie": forged}).text
    assert done(settings, "https://evil.example/").headers["location"] == "/studio/"


def test_old_addresses_lead_to_studio(app: FastAPI, make_user: Any) -> None:
    browser = browser_client(app)
    old = browser.get("/api/account/signin?next=/studio/review", follow_redirects=False)
    assert old.status_code == 308
    assert old.headers["location"] == "/studio/signin?next=%2Fstudio%2Freview"
    assert browser.get("/studio", follow_redirects=False).headers["location"] == "/studio/"
    css = browser.get("/studio/static/studio.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
