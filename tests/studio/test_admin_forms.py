"""Studio's admin screens without a browser: users (search, role, disable, invite and
accept by the mailed link), site settings and the platform's health."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from studio_admin_forms import browser_as, csrf, post_form
from studio_http import PASSWORD

from interactions_api.models.user import Role

USERS = "/studio/users"


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False}
    for name, value in smtp.items():  # the mail job reads its settings from the environment
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return {**settings_overrides, **smtp}


def _link(smtp_server: Any, to: str) -> str:
    body = smtp_server.to(to)[-1].get_payload(decode=True).decode()
    found = re.search(r"https?://\S+/studio/invite\?token=\S+", body)
    assert found, body
    return found.group(0)


def test_change_a_role_search_and_refusals(app: FastAPI, make_user: Any) -> None:
    admin = browser_as(app, make_user(Role.admin))
    reader = make_user(Role.reader, display_name="Rea <b>Der</b>")
    found = admin.get(USERS, params={"q": reader.email})
    assert found.status_code == 200 and "Rea &lt;b&gt;Der&lt;/b&gt;" in found.text
    changed = post_form(admin, USERS, f"{USERS}/{reader.id}/role", role="author")
    assert changed.status_code == 303 and "is now author" in admin.get(USERS).text
    bad = post_form(admin, USERS, f"{USERS}/{reader.id}/role", role="emperor")
    assert bad.status_code == 422 and "Choose a role" in bad.text
    forged = admin.post(f"{USERS}/{reader.id}/role", data={"csrf_token": "x", "role": "admin"})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    editor = browser_as(app, make_user(Role.editor))
    for path in (USERS, "/studio/settings", "/studio/health"):
        refused = editor.get(path)
        assert refused.status_code == 403 and "needs the admin role" in refused.text
    old = admin.get("/api/admin/ui/users?q=rea", follow_redirects=False)
    assert old.status_code == 308 and old.headers["location"] == f"{USERS}?q=rea"


def test_the_last_admin_stays_and_a_disabled_account_is_signed_out(
    app: FastAPI, make_user: Any
) -> None:
    me = make_user(Role.admin)
    admin = browser_as(app, me)
    last = post_form(admin, USERS, f"{USERS}/{me.id}/role", role="editor")
    assert last.status_code == 409 and "only admin" in last.text
    self_off = post_form(admin, USERS, f"{USERS}/{me.id}/disabled", disabled="yes")
    assert self_off.status_code == 409 and "your own account" in self_off.text
    author = make_user(Role.author)
    their = browser_as(app, author)
    assert their.get("/studio/").status_code == 200
    off = post_form(admin, USERS, f"{USERS}/{author.id}/disabled", disabled="yes")
    assert off.status_code == 303 and "signed out everywhere" in admin.get(USERS).text
    assert their.get("/studio/", follow_redirects=False).status_code == 303, "signed out"
    web = browser_as(app)
    page = web.get("/studio/signin")
    form = {"csrf_token": csrf(page.text), "email": author.email, "password": PASSWORD}
    refused = web.post("/api/account/signin", data=form)
    assert refused.status_code == 403 and "disabled" in refused.text
    on = post_form(admin, USERS, f"{USERS}/{author.id}/disabled", disabled="no")
    assert on.status_code == 303 and "enabled again" in admin.get(USERS).text


def test_invite_by_mail_and_accept(
    app: FastAPI, make_user: Any, smtp_server: Any, run_jobs: Any
) -> None:
    admin = browser_as(app, make_user(Role.admin, display_name="Ada Admin"))
    bad = post_form(admin, USERS, f"{USERS}/invite", email="not-an-address", display_name="")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    sent = post_form(admin, USERS, f"{USERS}/invite", email="new@example.org",
                     display_name="Nia New", role="editor")  # fmt: skip
    assert sent.status_code == 303 and "Invitation sent to new@example.org" in admin.get(USERS).text
    run_jobs()
    link = _link(smtp_server, "new@example.org")
    path = link.split("://", 1)[1].split("/", 1)[1]
    web = browser_as(app)
    landing = web.get(f"/{path}")
    assert landing.status_code == 200 and "Welcome, Nia New" in landing.text
    token = path.split("token=", 1)[1]
    weak = web.post("/studio/invite", data={"csrf_token": csrf(landing.text), "token": token,
                                             "password": "short"})  # fmt: skip
    assert weak.status_code == 422 and 'aria-invalid="true"' in weak.text
    opened = web.post("/studio/invite", follow_redirects=False, data={
        "csrf_token": csrf(landing.text), "token": token, "password": PASSWORD})  # fmt: skip
    assert opened.status_code == 303 and opened.headers["location"] == "/studio/"
    home = web.get("/studio/")
    assert "Welcome, Nia New" in home.text and 'href="/studio/review"' in home.text, "an editor"
    used = browser_as(app).get(f"/{path}")
    assert used.status_code == 400 and "already used" in used.text
    taken = post_form(admin, USERS, f"{USERS}/invite", email="new@example.org", display_name="X")
    assert taken.status_code == 422 and "already exists" in taken.text
    assert browser_as(app).get("/studio/invite?token=forged").status_code == 400


def test_settings_apply_at_once(app: FastAPI, make_user: Any) -> None:
    admin = browser_as(app, make_user(Role.admin))
    bad = post_form(admin, "/studio/settings", "/studio/settings", site_name=" ",
                    moderation="none", self_approval="auto")  # fmt: skip
    assert bad.status_code == 422 and "cannot be empty" in bad.text
    saved = post_form(admin, "/studio/settings", "/studio/settings", site_name="Night <Owls>",
                      moderation="links", self_approval="no")  # fmt: skip
    assert saved.status_code == 303
    page = admin.get("/studio/settings")
    assert "Night &lt;Owls&gt; <span>Studio</span>" in page.text
    assert '<option value="links" selected>' in page.text
    assert admin.get("/api/admin/settings").json() == {
        "site_name": "Night <Owls>", "moderation": "links", "self_approval": "no"}  # fmt: skip


def test_health_page_reports_the_platform(app: FastAPI, make_user: Any) -> None:
    admin = browser_as(app, make_user(Role.admin))
    page = admin.get("/studio/health")
    assert page.status_code == 200
    assert re.search(r"<dt>Database</dt><dd><span class=\"s-badge s-ok\">ok", page.text)
    assert "no worker running" in page.text and "none yet" in page.text
    data = admin.get("/api/admin/health").json()
    assert data["database"] == "ok" and data["redis"] == "ok" and data["last_publish"] is None


def test_page_headers_keep_a_name_while_the_database_is_down(settings: Any) -> None:
    from sqlalchemy import create_engine

    from interactions_api.services import sitesettings

    down = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert sitesettings.site_name(down, settings) == settings.site_name
