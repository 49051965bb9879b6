"""Helpers shared by the comment, like, bookmark, moderation and count tests."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from api_client import new_client
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from interactions_api.models.user import Role, User
from interactions_api.services import sessions

THREAD = "hello-world"
OTHER = "second-post"
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


def member(app: FastAPI, make_user: Any, role: Role = Role.reader, **kwargs: Any) -> Any:
    """A new client signed in (through a real server-side session) as a new user."""
    user: User = make_user(role, **kwargs)
    with Session(app.state.engine, expire_on_commit=False) as db:
        token = sessions.start_session(db, user)
        db.commit()
    name = sessions.cookie_name(app.state.settings.cookie_secure)
    client = new_client(app, headers={"Cookie": f"{name}={token}"})
    client.user = user
    return client


def post(client: TestClient, body: str, *, thread: str = THREAD, **extra: Any) -> Any:
    """POST a comment and return the response."""
    return client.post(f"/api/threads/{thread}/comments", json={"body": body, **extra})


def posted(client: TestClient, body: str, *, thread: str = THREAD, **extra: Any) -> dict[str, Any]:
    """POST a comment that must be accepted; return its JSON."""
    response = post(client, body, thread=thread, **extra)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def listing(client: TestClient, thread: str = THREAD, **params: Any) -> dict[str, Any]:
    """GET a thread's public listing (must be 200)."""
    response = client.get(f"/api/threads/{thread}/comments", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


class DangerScanner(HTMLParser):
    """Collects everything in an HTML fragment that could run script or load content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in {
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
            "img",
            "form",
            "input",
            "base",
            "meta",
            "link",
            "frame",
            "video",
            "audio",
            "source",
        }:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "xlink:href"}:
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "background"} and value is not None:
                squashed = "".join(ch for ch in value if not ch.isspace() and ord(ch) > 31)
                if squashed.lower().startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{tag}[{name}={value!r}]")
        if tag == "a":
            rel = dict(attrs).get("rel") or ""
            if set(rel.split()) != {"nofollow", "ugc", "noopener"}:
                self.problems.append(f"a without rel=nofollow ugc noopener ({rel!r})")


def dangers(html: str) -> list[str]:
    """What in `html` could run script or load remote content (empty when inert)."""
    scanner = DangerScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems
