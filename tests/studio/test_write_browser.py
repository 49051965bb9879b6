"""Writing, reviewing and publishing in Chromium, end to end, on `quire run`'s wiring: the
inbox tests' content repository, build worker (rq) and local-folder bucket.

An author writes with a live preview, pastes an image (uploaded, placed at the cursor),
sets a date in the future (a schedule) and submits; an editor sees the rendered diff and
approves; when the date comes, the build publishes the article with the author's byline
and image. Every screen on the way passes axe-core at 1280 and 375 px, light and dark.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image
from sqlmodel import Session, select
from studio_browser import audit

from interactions_api.models.inbox import OutboxEntry, Revision, Submission
from interactions_api.models.user import Role
from interactions_api.services.outbox import enqueue_build

pytestmark = pytest.mark.browser
SLOW_MS = 40_000

_spec = importlib.util.spec_from_file_location(
    "quire_inbox_conftest", Path(__file__).parents[1] / "inbox" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_inbox = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_inbox)
_seeded_repo, bucket, worker_env, work = (
    _inbox._seeded_repo, _inbox.bucket, _inbox.worker_env, _inbox.work
)  # fmt: skip


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], tmp_path: Path, _seeded_repo: Path
) -> dict[str, Any]:
    """Studio's live origin, plus the inbox tests' own content repository."""
    repo = tmp_path / "content.git"
    shutil.copytree(_seeded_repo, repo)
    return {**settings_overrides, "content_repo": repo, "worker_ttl": 10}


def _png_base64() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), "teal").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


PASTE = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "image/png"}));
  const body = document.getElementById("body");
  body.focus();
  body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true,
                                                  cancelable: true}));
}"""


def _write(page: Any) -> str:
    """The author's part; returns the article's slug."""
    page.get_by_label("Title", exact=True).fill("Harbour lights")
    body = page.get_by_label("Markdown")
    body.fill("The lamps came on at dusk.\n\n")
    preview = page.locator("#preview")
    preview.locator("text=The lamps came on at dusk.").wait_for()  # typed, shown: no button
    assert preview.locator("h1").inner_text() == "Harbour lights"
    body.press("Control+End")
    page.evaluate(PASTE, [_png_base64(), "lamp.png"])
    # the paste saves the draft first; the first check of a body starts a render child,
    # seconds on a busy machine
    page.wait_for_url("**/studio/write/*", timeout=SLOW_MS)
    page.wait_for_function(
        "document.getElementById('body').value.includes('/images/inbox/')", timeout=SLOW_MS
    )
    assert "![lamp](/images/inbox/harbour-lights/" in body.input_value()
    preview.locator("img[alt=lamp]").wait_for()
    assert page.locator("#word-count").inner_text() == str(len(body.input_value().split()))
    page.locator("summary", has_text="Front matter").click()
    soon = datetime.now(UTC) + timedelta(days=2)
    page.get_by_label("Date (UTC)").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Tags").fill("Harbour, Night")
    body.press("Control+s")
    page.locator("#save-state", has_text="Saved at").wait_for()
    audit(page, "write, filled")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url("**/studio/submissions")
    assert "in review" in page.locator("table").inner_text()
    audit(page, "submissions")
    return "harbour-lights"


def _review(page: Any) -> None:
    """The editor's part: the queue, the diff, approve (the author's date schedules it)."""
    page.get_by_role("link", name="Harbour lights").click()
    sides = page.locator(".s-sides .s-side")
    assert "Not published yet." in sides.nth(0).inner_text()
    lamp = sides.nth(1).locator("img[alt=lamp]")
    assert lamp.evaluate("img => img.complete && img.naturalWidth") == 48, "shown before publishing"
    audit(page, "review detail")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/studio/review")
    assert "Approved" in page.locator(".s-flash").inner_text()
    page.goto("/studio/review?status=scheduled")
    assert "Harbour lights" in page.locator("table").inner_text()
    audit(page, "review queue")


def _the_date_comes(app: FastAPI, slug: str) -> None:
    """Move the stored schedule into the past, as the clock would, and start the build
    the scheduler would start."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    with Session(app.state.engine) as db:
        sub = db.exec(select(Submission).where(Submission.slug == slug)).one()
        sub.publish_at = past
        rev = db.get(Revision, sub.approved_revision_id)
        assert rev is not None and sub.status == "scheduled"
        rev.date = past
        for entry in db.exec(select(OutboxEntry).where(OutboxEntry.submission_id == sub.id)):
            entry.due_at = past
            db.add(entry)
        db.add_all([sub, rev])
        db.commit()
    enqueue_build(app.state.redis, app.state.settings)


def test_write_paste_schedule_review_approve_publish(
    app: FastAPI,
    make_user: Callable[..., Any],
    open_studio: Callable[..., Any],
    studio_as: Callable[..., None],
    work: Callable[..., None],
    bucket: Path,
) -> None:
    author = make_user(Role.author, display_name="Grace Writer")
    slug = _write(open_studio("/studio/write", user=author))
    _review(open_studio("/studio/review", user=make_user(Role.editor)))
    work()
    assert not (bucket / "posts" / slug).exists(), "scheduled: not live before its date"
    _the_date_comes(app, slug)
    work()
    html = (bucket / "posts" / slug / "index.html").read_text(encoding="utf-8")
    assert 'class="p-author"' in html and ">Grace Writer</a>" in html
    image = html.split('src="/images/inbox/harbour-lights/', 1)[1].split('"', 1)[0]
    assert (bucket / "images" / "inbox" / slug / image).is_file()
    page = open_studio("/studio/builds")
    assert "succeeded" in page.locator("table").inner_text()
    audit(page, "builds")
