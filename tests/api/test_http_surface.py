"""docs/http.md lists the whole HTTP surface, and what it says about each route is true."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute

from interactions_api.http_surface import documented, http_table, rows
from interactions_api.main import mounted_routers
from interactions_api.models.user import Role
from tests.api.conftest import ApiClient

ROLES = {role.name for role in Role}
# Path parameters filled with values the routes accept as well-formed.
SAMPLE = {"action": "approve", "number": "1", "name": "x"}


def _routes() -> list[tuple[str, str, str, str, str]]:
    return [row for _, router in mounted_routers() for row in rows(router)]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def test_the_document_lists_every_route_as_the_routers_declare_it() -> None:
    assert documented() == http_table(), (
        "docs/http.md is out of date; regenerate it with "
        '`python -c "from interactions_api.http_surface import write_doc; write_doc()"`'
    )


def test_every_route_says_what_it_is_for() -> None:
    undocumented = [f"{m} {p}" for m, p, _, _, purpose in _routes() if not purpose]
    assert undocumented == []


def test_every_route_of_the_app_is_in_a_table(client: ApiClient) -> None:
    listed = {(m, p) for m, p, *_ in _routes()}
    app: Any = client.app
    operations = {
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    }
    served = set()
    for mounted in app.routes:  # FastAPI wraps an included router; older ones list its routes
        inner = getattr(mounted, "original_router", None)
        for route in inner.routes if inner is not None else [mounted]:
            if isinstance(route, APIRoute):
                served |= {(m, route.path) for m in route.methods - {"HEAD"}}
    assert len(operations) > 50 and len(served) > len(operations)
    assert operations - listed == set() and served - listed == set()


def _guarded(*, pages: bool) -> list[tuple[str, str, str]]:
    """(method, path, first word of Who) of the routes that need an account: the JSON
    ones, and with `pages` the pages one opens (a form post without its CSRF token is
    refused before any handler)."""
    found = []
    for method, path, who, kind, _ in _routes():
        first = who.split()[0]
        # "reader (or anyone when ...)": a setting decides; the comment tests cover it
        needs_account = (first in ROLES or who == "signed in") and "anyone" not in who
        if needs_account and (kind == "JSON" or (pages and method == "GET")):
            found.append((method, path, first))
    return found


def _signs_in_first(response: Any) -> bool:
    """Studio's pages send a signed-out visitor to the sign-in page, which returns them."""
    first = response.history[0] if response.history else response
    location = first.headers.get("location", "")
    return first.status_code == 303 and location.startswith("/studio/signin?next=")


def test_a_route_that_needs_an_account_refuses_an_anonymous_caller(client: ApiClient) -> None:
    """401 (or, for a Studio page, the way to its sign-in page), whatever else the request
    lacks."""
    wrong = []
    for method, path, _ in _guarded(pages=True):
        response = _call(client, method, _url(path))
        studio = path.startswith("/studio/") and _signs_in_first(response)
        if response.status_code != 401 and not studio:
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", [Role.reader, Role.author, Role.editor])
def test_a_route_that_needs_a_higher_role_refuses_a_lower_one(
    role: Role, user_client: Callable[..., Any]
) -> None:
    caller = user_client(role)
    wrong = []
    for method, path, needed in _guarded(pages=False):
        if needed not in ROLES or Role[needed] <= role:
            continue
        response = _call(caller, method, _url(path))
        if response.status_code != 403 or response.json()["code"] != "role_required":
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == []


def _call(client: Any, method: str, url: str, *, follow: bool = True) -> Any:
    if method == "GET":
        return client.get(url, follow_redirects=follow)
    return client.request(method, url, json={}, follow_redirects=follow)
