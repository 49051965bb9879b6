"""Small helpers shared by the inbox tests (HTTP calls a user would make)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from rq import Queue
from rq.serializers import JSONSerializer
from sqlmodel import Session, col, select

from interactions_api.models.inbox import BuildRecord
from tests.rq_burst import BurstWorker

POST: dict[str, Any] = {
    "title": "Hello from the inbox",
    "body": "The first paragraph with **strong words** in it.\n\n## A heading\n\nMore text.\n",
    "tags": ["News", "Inbox"],
    "summary": "A post that went through review.",
}


def create(author: Any, **fields: Any) -> dict[str, Any]:
    """Create a draft; returns the submission."""
    response = author.post("/api/inbox/submissions", json={**POST, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def submit(author: Any, **fields: Any) -> dict[str, Any]:
    """Create a draft and submit it for review; returns the submission."""
    sub = create(author, **fields)
    response = author.post(
        f"/api/inbox/submissions/{sub['id']}/actions/submit", json={"version": sub["version"]}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def approve(editor: Any, sub: dict[str, Any], **extra: Any) -> Any:
    """Approve a submission at the version the editor saw; returns the response."""
    return editor.post(
        f"/api/inbox/submissions/{sub['id']}/approve", json={"version": sub["version"], **extra}
    )


def detail(client: Any, sub: dict[str, Any]) -> dict[str, Any]:
    """The submission's detail (status, history, build)."""
    response = client.get(f"/api/inbox/submissions/{sub['id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def builds(engine: Any) -> list[BuildRecord]:
    """Every build recorded, oldest first."""
    with Session(engine) as db:
        return list(db.exec(select(BuildRecord).order_by(col(BuildRecord.id))).all())


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of a folder and its content hash."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def csrf(html: str) -> str:
    """The CSRF token of a page's form."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def version(html: str) -> str:
    """The submission version a page's form carries."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def form_post(client: Any, url: str, page: str, **fields: Any) -> Any:
    """Post a form of `page` (with its CSRF token) as a browser would."""
    data = {"csrf_token": csrf(page), **fields}
    return client.post(url, data=data, follow_redirects=False)


def mail_overrides(overrides: dict[str, Any], smtp_server: Any) -> dict[str, Any]:
    """Settings overrides that send mail to the test's SMTP server."""
    return {
        **overrides,
        "smtp_host": smtp_server.host,
        "smtp_port": smtp_server.port,
        "smtp_starttls": False,
    }


def send_mail(redis: Any) -> None:
    """Run the queued mail jobs."""
    queue = Queue("default", connection=redis, serializer=JSONSerializer)
    BurstWorker([queue], connection=redis, serializer=JSONSerializer).work(burst=True)
