"""Studio's administration in Chromium: change a role, invite someone who accepts by the
mailed link; users, settings and health pass axe-core at 1280 and 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from studio_browser import audit
from studio_http import PASSWORD

from interactions_api.models.user import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False}
    for name, value in smtp.items():
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return {**settings_overrides, **smtp}


def test_change_a_role_and_invite_someone_who_accepts(
    app: FastAPI, open_studio: Callable[..., Any], studio_context: Any, make_user: Any,
    smtp_server: Any, run_jobs: Any,
) -> None:  # fmt: skip
    reader = make_user(Role.reader, display_name="Rob Reader")
    page = open_studio("/studio/users", user=make_user(Role.admin))
    audit(page, "users")
    page.get_by_label("Role of Rob Reader").select_option("author")
    page.get_by_role("button", name="Change the role of Rob Reader").click()
    page.wait_for_url("**/studio/users")
    assert "Rob Reader is now author." in page.locator(".s-flash").inner_text()
    assert page.get_by_label("Role of Rob Reader").input_value() == "author"
    assert reader.id

    page.get_by_label("Email address").fill("ivy@example.org")
    page.get_by_label("Name", exact=True).fill("Ivy Invited")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url("**/studio/users")
    run_jobs()
    body = smtp_server.to("ivy@example.org")[-1].get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/studio/invite\?token=\S+", body)
    assert link, body
    studio_context.clear_cookies()
    invitee = studio_context.new_page()
    invitee.goto("/studio/invite?token=" + link.group(0).split("token=", 1)[1])
    audit(invitee, "invitation")
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Open my account").click()
    invitee.wait_for_url("**/studio/")
    assert invitee.locator("h1").inner_text() == "Welcome, Ivy Invited"
    assert invitee.locator(".s-nav").get_by_role("link", name="Review").is_visible()


def test_settings_and_health_pass_axe(open_studio: Callable[..., Any], make_user: Any) -> None:
    page = open_studio("/studio/settings", user=make_user(Role.admin))
    page.get_by_label("Site name").fill("Night Owls")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_url("**/studio/settings")
    assert page.locator(".s-brand").inner_text().startswith("Night Owls")
    audit(page, "settings")
    page.goto("/studio/health")
    audit(page, "health")
