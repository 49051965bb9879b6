"""Approving one's own submission: a site setting, off by default once a site has two editors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from inbox_helpers import approve, detail, submit

from interactions_api.config import Settings
from interactions_api.models.user import Role
from interactions_api.security import csrf_token

COOKIE = "__Host-quire_session"


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], request: pytest.FixtureRequest
) -> dict[str, Any]:
    """The inbox defaults plus this test's `allow_self_approval`, if it sets one."""
    return {**settings_overrides, **getattr(request, "param", {})}


def _editors(user_client: Callable[..., Any], count: int) -> list[Any]:
    return [user_client(Role.editor) for _ in range(count)]


def test_by_default_an_editor_cannot_approve_their_own_when_others_can(
    user_client: Callable[..., Any],
) -> None:
    mine, other = _editors(user_client, 2)
    sub = submit(mine)
    refused = approve(mine, sub)
    assert (refused.status_code, refused.json()["code"]) == (403, "self_approval")
    assert "another editor" in refused.json()["message"]
    assert detail(mine, sub)["submission"]["status"] == "in_review"
    assert approve(other, sub).status_code == 200


def test_studio_refuses_it_with_the_same_message(
    user_client: Callable[..., Any], settings: Settings
) -> None:
    mine, other = _editors(user_client, 2)
    sub = submit(mine)
    form = {"csrf_token": csrf_token(settings, mine.cookies[COOKIE]), "version": sub["version"]}
    response = mine.post(f"/studio/review/{sub['id']}/approve", data=form)
    assert response.status_code == 403
    assert "another editor" in response.text
    assert detail(mine, sub)["submission"]["status"] == "in_review"
    # The page offers the button only to whoever may use it.
    approve_form = f"/studio/review/{sub['id']}/approve"
    assert approve_form not in mine.get(f"/studio/review/{sub['id']}").text
    assert approve_form in other.get(f"/studio/review/{sub['id']}").text


def test_by_default_a_sites_only_editor_may_approve_their_own(
    user_client: Callable[..., Any],
) -> None:
    [mine] = _editors(user_client, 1)
    user_client(Role.author)  # authors do not count
    assert approve(mine, submit(mine)).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"allow_self_approval": True}], indirect=True)
def test_the_setting_allows_it_with_several_editors(user_client: Callable[..., Any]) -> None:
    mine, _other = _editors(user_client, 2)
    assert approve(mine, submit(mine)).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"allow_self_approval": False}], indirect=True)
def test_the_setting_refuses_it_even_to_a_sites_only_editor(
    user_client: Callable[..., Any],
) -> None:
    [mine] = _editors(user_client, 1)
    refused = approve(mine, submit(mine))
    assert (refused.status_code, refused.json()["code"]) == (403, "self_approval")
