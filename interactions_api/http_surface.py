"""The whole HTTP surface as one Markdown table per router, for `docs/http.md`.

Generated from the routers themselves, so it cannot drift (tests/api/test_http_surface.py
compares the document with this output): every method and path, who may call it, whether
it answers JSON (in the OpenAPI document) or a page, and its purpose (the route's summary,
else its docstring's first paragraph). Regenerate with
`python -c "from interactions_api.http_surface import write_doc; write_doc()"`.

Who may call a route is read, in this order, from its `x-quire-role` (`role_doc`), from
its dependencies (`require_role`, `CurrentUser`), and for the server-rendered pages,
which check the role in the handler, from the `need_role`/`_need_author` call there.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from interactions_api.deps import get_current_user
from interactions_api.models.user import Role

DOC = Path(__file__).resolve().parents[1] / "docs" / "http.md"
START, END = "<!-- http:start -->", "<!-- http:end -->"
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
OPENAPI_ROW = (
    "GET",
    "/api/openapi.json",
    "public",
    "JSON",
    "The OpenAPI description of every JSON route below (shown at /api/docs).",
)
_PAGE_ROLE = re.compile(r"need_role\(\s*\w+,\s*Role\.(\w+)\)|(_need_author)\(")
_SIGNED = re.compile(r"verify_signature\(")


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _role_of_dependant(dependant: Dependant) -> str | None:
    """The role a dependency requires (`require_role`), or "signed in" (`CurrentUser`)."""
    calls = list(_calls(dependant))
    for call in calls:
        code, cells = getattr(call, "__code__", None), getattr(call, "__closure__", None)
        if code is None or not cells:
            continue
        role = dict(zip(code.co_freevars, (c.cell_contents for c in cells), strict=True))
        if isinstance(role.get("role"), Role):
            return str(role["role"].name)
    return "signed in" if get_current_user in calls else None


def _role_in_handler(route: APIRoute) -> str | None:
    """For pages and signed hooks: the check the handler makes itself."""
    try:
        source = inspect.getsource(route.endpoint)
    except (OSError, TypeError):  # pragma: no cover - every route is plain Python source
        return None
    match = _PAGE_ROLE.search(source)
    if match:
        return "author" if match.group(2) else match.group(1)
    if _SIGNED.search(source):
        return "signed (QUIRE_WEBHOOK_SECRET)"
    return None


def who(route: APIRoute) -> str:
    """Who may call the route, as the table says it."""
    declared = (route.openapi_extra or {}).get("x-quire-role")
    if declared:
        return str(declared)
    return _role_of_dependant(route.dependant) or _role_in_handler(route) or "public"


def purpose(route: APIRoute) -> str:
    """The route's summary, else the first paragraph of its docstring, on one line."""
    text = route.summary or inspect.getdoc(route.endpoint) or ""
    return " ".join(text.strip().split("\n\n")[0].split())


def rows(router: APIRouter) -> list[tuple[str, str, str, str, str]]:
    """(method, path, who, kind, purpose) of each route of a router, in declared order."""
    found = []
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        html = isinstance(route.response_class, type) and issubclass(
            route.response_class, HTMLResponse
        )
        kind = "JSON" if route.include_in_schema and not html else "page"
        methods = sorted((route.methods or set()) - {"HEAD"}, key=METHOD_ORDER.index)
        for method in methods:
            found.append((method, route.path, who(route), kind, purpose(route)))
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def http_table(routers: list[tuple[str, APIRouter]] | None = None) -> str:
    """The Markdown tables of the surface: one per router module, in name order."""
    if routers is None:
        routers = _mounted()
    lines: list[str] = []
    header = ["| Method | Path | Who | Answers | Purpose |", "|---|---|---|---|---|"]
    lines += ["### The app", "", *header, _row(OPENAPI_ROW)]
    for name, router in routers:
        table = rows(router)
        if table:
            lines += ["", f"### `{name}.py`", "", *header, *map(_row, table)]
    return "\n".join(lines)


def _row(row: tuple[str, ...]) -> str:
    method, path, role, kind, text = row
    return f"| {method} | `{path}` | {_cell(role)} | {kind} | {_cell(text)} |"


def _mounted() -> list[tuple[str, APIRouter]]:
    from interactions_api.main import mounted_routers

    return mounted_routers()


def write_doc(doc: Path = DOC) -> None:
    """Replace the table between the markers of `docs/http.md` with the current one."""
    text = doc.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    doc.write_text(f"{before}{START}\n{http_table()}\n{END}{after}", encoding="utf-8")


def documented(doc: Path = DOC) -> str:
    """The table as `docs/http.md` has it now."""
    found: Any = re.search(f"{START}\n(.*?)\n{END}", doc.read_text(encoding="utf-8"), re.S)
    return str(found.group(1)) if found else ""
