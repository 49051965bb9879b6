"""The users page (`/api/admin/ui/users`) and `quire user role`: an admin makes a new
reader an author from a browser or the shell, so the new user can write (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import member
from sqlmodel import Session
from typer.testing import CliRunner

from interactions_api.cli import app as cli
from interactions_api.models.user import Role, User
from interactions_api.security import csrf_token

UI = "/api/admin/ui/users"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def _role_of(app: FastAPI, user: User) -> Role:
    with Session(app.state.engine) as db:
        found = db.get(User, user.id)
        assert found is not None
        return Role(found.role)


def _change(admin: Any, page: str, user: User, role: str, **back: str) -> Any:
    data = {"csrf_token": _csrf(page), "role": role, **back}
    return admin.post(f"{UI}/{user.id}/role", data=data, follow_redirects=False)


def test_signed_out_and_editors_get_html_pages_not_json(
    app: FastAPI, client: Any, make_user: Any
) -> None:
    signed_out = client.get(UI)
    assert signed_out.status_code == 401
    assert signed_out.headers["content-type"].startswith("text/html")
    assert f'name="next" value="{UI}"' in signed_out.text  # back here after signing in
    editor = member(app, make_user, Role.editor)
    denied = editor.get(UI)
    assert denied.status_code == 403 and denied.headers["content-type"].startswith("text/html")
    assert "needs the admin role" in denied.text
    reader = make_user()
    session = editor.headers["Cookie"].split("=", 1)[1]
    form = {"csrf_token": csrf_token(app.state.settings, session), "role": "admin"}
    refused = editor.post(f"{UI}/{reader.id}/role", data=form)
    assert refused.status_code == 403 and "needs the admin role" in refused.text
    assert _role_of(app, reader) == Role.reader


def test_an_admin_makes_a_new_reader_an_author_who_can_then_write(
    app: FastAPI, make_user: Any
) -> None:
    admin = member(app, make_user, Role.admin)
    writer = member(app, make_user, display_name="Newcomer Nell")
    make_user(display_name="Other Olga")
    assert writer.get("/studio/write").status_code == 403

    page = admin.get(UI)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Newcomer Nell" in page.text and "Other Olga" in page.text
    assert writer.user.email in page.text and 'value="reader" selected' in page.text
    found = admin.get(UI, params={"q": "NELL"})
    assert "Newcomer Nell" in found.text and "Other Olga" not in found.text
    by_mail = admin.get(UI, params={"q": writer.user.email})
    assert "Newcomer Nell" in by_mail.text and "Other Olga" not in by_mail.text

    changed = _change(admin, found.text, writer.user, "author", q="NELL")
    assert changed.status_code == 303
    assert changed.headers["location"] == f"{UI}?q=NELL&changed={writer.user.id}"
    after = admin.get(changed.headers["location"])
    assert "Newcomer Nell is now author." in after.text
    assert 'value="author" selected' in after.text
    assert _role_of(app, writer.user) == Role.author
    assert writer.get("/studio/write").status_code == 200


def test_the_last_admin_cannot_step_down_and_bad_roles_are_refused(
    app: FastAPI, make_user: Any
) -> None:
    admin = member(app, make_user, Role.admin)
    page = admin.get(UI).text
    refused = _change(admin, page, admin.user, "editor")
    assert refused.status_code == 409
    assert "This is the only admin; make another admin first." in refused.text
    assert _role_of(app, admin.user) == Role.admin
    reader = make_user()
    assert _change(admin, page, reader, "owner").status_code == 422
    assert _role_of(app, reader) == Role.reader
    missing = admin.post(f"{UI}/999999/role", data={"csrf_token": _csrf(page), "role": "author"})
    assert missing.status_code == 404 and "There is no user 999999." in missing.text


def test_user_text_is_escaped_and_the_list_is_paginated(app: FastAPI, make_user: Any) -> None:
    admin = member(app, make_user, Role.admin)
    make_user(display_name="<script>alert(1)</script> Eve")
    for n in range(50):
        make_user(display_name=f"Filler {n}")
    page = admin.get(UI, params={"q": "<b>"}).text
    assert "&lt;b&gt;" in page and "<b>" not in page  # the search echoed as text
    first = admin.get(UI).text
    assert "<script>alert" not in first
    assert "Filler 49" in first and "&lt;script&gt;alert(1)&lt;/script&gt; Eve" not in first
    assert f'href="{UI}?offset=50"' in first
    older = admin.get(f"{UI}?offset=50").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Eve" in older and "Filler 49" not in older
    assert f'href="{UI}"' in older  # back to the newest


def test_studio_links_users_for_admins_only(app: FastAPI, make_user: Any) -> None:
    assert 'href="/studio/users"' in member(app, make_user, Role.admin).get("/studio/").text
    assert 'href="/studio/users"' not in member(app, make_user, Role.editor).get("/studio/").text


def test_quire_user_role_changes_a_role_by_the_same_rules(
    app: FastAPI,
    make_user: Any,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "QUIRE_DATABASE_URL": database_url,
        "QUIRE_DATA_DIR": str(tmp_path / "data"),
        "QUIRE_ENV": "test",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    reader, admin = make_user(), make_user(Role.admin)
    runner = CliRunner()
    done = runner.invoke(cli, ["user", "role", reader.email.upper(), "author"])
    assert done.exit_code == 0, done.output
    assert f"<{reader.email}> now has the role author" in done.output
    assert _role_of(app, reader) == Role.author

    last = runner.invoke(cli, ["user", "role", admin.email, "reader"])
    assert last.exit_code == 1 and "only admin" in last.output
    assert _role_of(app, admin) == Role.admin
    unknown = runner.invoke(cli, ["user", "role", "nobody@example.org", "author"])
    assert unknown.exit_code == 1 and "no account with the email nobody@" in unknown.output
    bad = runner.invoke(cli, ["user", "role", reader.email, "owner"])
    assert bad.exit_code == 2 and "reader, author, editor, admin" in bad.output
