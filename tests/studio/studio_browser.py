"""Opening Studio pages in Debian's Chromium and checking them with axe-core.

`audit(page)` runs axe-core (node_modules/axe-core, from package.json) on the open page
at 1280 and 375 px wide, in light and dark mode, and fails on any serious or critical
violation, or on a page wider than the phone's screen. `sign_in(context, app, user)` gives
a browser profile a session cookie made by the sessions service (no form round trip).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session

from interactions_api.deps import session_cookie_name
from interactions_api.models.user import User
from interactions_api.services import sessions

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORTS = {"desktop": (1280, 800), "phone": (375, 740)}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")


def sign_in(context: Any, app: FastAPI, user: User, origin: str) -> None:
    """Give the browser profile `context` a session of `user` on `origin`."""
    with Session(app.state.engine, expire_on_commit=False) as db:
        token = sessions.start_session(db, user)
        db.commit()
    name = session_cookie_name(app.state.settings)
    context.add_cookies([{"name": name, "value": token, "url": origin}])


def _violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in BLOCKING]


def _describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        targets = [n.get("target") for n in v.get("nodes", [])[:3]]
        lines.append(f"{v['impact']} {v['id']}: {v['help']} at {json.dumps(targets)}")
    return "\n".join(lines)


def audit(page: Any, label: str = "") -> None:
    """Zero serious/critical axe violations at desktop and phone widths, light and dark,
    and nothing wider than the phone's screen. Leaves the page at the desktop size."""
    label = label or page.url
    problems = []
    for width_name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            found = _violations(page)
            if found:
                problems.append(f"[{width_name} {scheme}]\n{_describe(found)}")
        if width_name == "phone":
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"[phone] the page is {scroll} px wide on a {width} px screen")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": VIEWPORTS["desktop"][0], "height": VIEWPORTS["desktop"][1]})
    assert not problems, f"{label}:\n" + "\n".join(problems)
