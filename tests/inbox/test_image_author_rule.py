"""One rule, one answer on both faces of the inbox: only a submission's author adds images.

An editor may read and review another author's submission, but an image added to it
would be committed under that author's name; the JSON route and the HTML page's upload
form both refuse it, with the same code and message, and store nothing.
"""

from __future__ import annotations

import io
from typing import Any

from inbox_helpers import create
from inbox_helpers import csrf as _csrf
from PIL import Image

UI = "/studio/write"
REFUSAL = "Only the author adds images."


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buf, format="PNG")
    return buf.getvalue()


def _stored(settings: Any) -> list[Any]:
    return [p for p in (settings.data_dir / "inbox-uploads").rglob("*") if p.is_file()]


def test_an_editor_cannot_add_an_image_to_another_authors_submission_json(
    author: Any, editor: Any, settings: Any
) -> None:
    sub = create(author, title="Not yours")
    refused = editor.post(
        f"/api/inbox/submissions/{sub['id']}/images",
        data={"csrf_token": _csrf(editor.get(UI).text)},  # a session's form
        files={"file": ("teal.png", _png(), "image/png")},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_author" and refused.json()["message"] == REFUSAL
    assert _stored(settings) == []


def test_an_editor_cannot_add_an_image_to_another_authors_submission_html(
    author: Any, editor: Any, settings: Any
) -> None:
    sub = create(author, title="Not yours either")
    url = f"{UI}/{sub['id']}"
    refused = editor.post(
        f"{url}/image",
        data={"csrf_token": _csrf(editor.get(UI).text)},
        files={"image": ("teal.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert REFUSAL in refused.text
    assert _stored(settings) == []
    assert "not-yours-either/teal" not in author.get(url).text


def test_the_author_adds_images_on_both_faces(author: Any, settings: Any) -> None:
    sub = create(author, title="Mine")
    added = author.post(
        f"/api/inbox/submissions/{sub['id']}/images",
        data={"csrf_token": _csrf(author.get(UI).text)},
        files={"file": ("teal.png", _png(), "image/png")},
    )
    assert added.status_code == 201, added.text
    page = author.get(f"{UI}/{sub['id']}").text
    again = author.post(
        f"{UI}/{sub['id']}/image",
        data={"csrf_token": _csrf(page)},
        files={"image": ("other.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert len(_stored(settings)) == 1, "the same picture twice is one file"
