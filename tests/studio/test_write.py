"""Studio's writing screens without a browser: each form's happy path, its field errors
and its CSRF check; the submissions list; an image uploaded by the plain form."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from PIL import Image
from sqlmodel import Session, select
from studio_forms import csrf, post_form, signed_in, version

from interactions_api.models.inbox import Revision, Submission
from interactions_api.models.user import Role
from interactions_api.services.inbox import revision_fields
from interactions_api.services.postfile import render_post

ARTICLE = {
    "title": "Notes from the field",
    "body": "A first paragraph.\n\n## Findings\n\nMore **words** here.\n",
    "tags": "Field, Notes",
    "summary": "What we saw.",
    "date": "2031-05-04T09:30",
}


def _submissions(app: FastAPI) -> list[tuple[Submission, Revision]]:
    with Session(app.state.engine) as db:
        rows = db.exec(
            select(Submission, Revision).where(Submission.current_revision_id == Revision.id)
        ).all()
        return [(s, r) for s, r in rows]


def test_a_new_article_is_saved_then_submitted(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author, display_name="Ann Author"))
    empty = author.get("/studio/write")
    assert empty.status_code == 200 and 'aria-current="page">Write</a>' in empty.text
    saved = post_form(author, "/studio/write", "/studio/write", do="save", **ARTICLE)
    assert saved.status_code == 303, saved.text
    [(sub, rev)] = _submissions(app)
    assert saved.headers["location"] == f"/studio/write/{sub.id}"
    assert (sub.status, rev.tags, rev.summary) == ("draft", ["Field", "Notes"], "What we saw.")
    assert rev.date is not None and rev.date.strftime("%Y-%m-%d %H:%M") == "2031-05-04 09:30"
    edit = author.get(saved.headers["location"])
    assert "Draft saved." in edit.text and 'value="Notes from the field"' in edit.text
    assert 'value="2031-05-04T09:30"' in edit.text
    fields = {**ARTICLE, "title": "Notes, revised", "version": version(edit.text)}
    submitted = author.post(
        f"/studio/write/{sub.id}",
        data={"csrf_token": csrf(edit.text), "do": "submit", **fields},
        follow_redirects=False,
    )
    assert submitted.headers["location"] == "/studio/submissions"
    listing = author.get("/studio/submissions")
    assert "Submitted for review." in listing.text and "Notes, revised" in listing.text
    assert ">in review</span>" in listing.text


def test_preview_renders_without_saving(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    shown = post_form(author, "/studio/write", "/studio/write", do="preview", **ARTICLE)
    assert shown.status_code == 200
    assert '<h2 id="findings"' in shown.text and "<strong>words</strong>" in shown.text
    assert 'class="p-name">Notes from the field</h1>' in shown.text
    assert _submissions(app) == []


def test_field_errors_are_shown_beside_their_fields(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    bad = {**ARTICLE, "title": "", "slug": "Not A Slug!", "date": "next tuesday"}
    refused = post_form(author, "/studio/write", "/studio/write", do="save", **bad)
    assert refused.status_code == 422
    assert 'id="date" name="date"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "is not a date and time" in refused.text
    assert "A first paragraph." in refused.text, "what was typed is kept"
    no_title = post_form(author, "/studio/write", "/studio/write", do="save",
                         **{**ARTICLE, "title": " "})  # fmt: skip
    assert no_title.status_code == 422 and 'href="#title"' in no_title.text
    slug = post_form(author, "/studio/write", "/studio/write", do="save",
                     **{**ARTICLE, "slug": "Not A Slug!"})  # fmt: skip
    assert slug.status_code == 422 and 'href="#slug"' in slug.text
    assert _submissions(app) == []


def test_a_stale_version_is_refused_with_an_explanation(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    saved = post_form(author, "/studio/write", "/studio/write", do="save", **ARTICLE)
    path = saved.headers["location"]
    page = author.get(path).text
    stale = {**ARTICLE, "version": str(int(version(page)) - 1), "csrf_token": csrf(page)}
    refused = author.post(path, data={"do": "save", **stale})
    assert refused.status_code == 409 and "after you opened it" in refused.text


def test_forms_without_their_token_are_refused(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    for action in ("/studio/write", "/studio/write/1", "/studio/write/1/image"):
        refused = author.post(action, data={"csrf_token": "forged", **ARTICLE})
        assert refused.status_code == 403 and "This form has expired" in refused.text


def test_an_image_uploads_by_the_plain_form(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    path = post_form(author, "/studio/write", "/studio/write", do="save", **ARTICLE)
    path = path.headers["location"]
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    token = csrf(author.get(path).text)
    uploaded = author.post(
        f"{path}/image",
        data={"csrf_token": token},
        files={"image": ("photo.png", buffer.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    page = author.get(path).text
    placed = "Place it with ![Describe the image](/images/inbox/notes-from-the-field/"
    assert f"Uploaded. {placed}" in page
    assert page.count("<code>![Describe the image](/images/inbox/") == 1
    name = page.split("/images/inbox/notes-from-the-field/", 1)[1].split(")", 1)[0]
    shown = author.get(f"{path}/images/{name}")  # previews show it before the site has it
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert author.get(f"{path}/images/0123456789abcdef.png").status_code == 404
    assert signed_in(app, make_user(Role.author)).get(f"{path}/images/{name}").status_code == 404
    empty = author.post(f"{path}/image", data={"csrf_token": token},
                        files={"image": ("", b"", "application/octet-stream")})  # fmt: skip
    assert empty.status_code == 422 and "Choose an image file" in empty.text


def test_another_authors_article_is_not_found(app: FastAPI, make_user: Any) -> None:
    first = signed_in(app, make_user(Role.author))
    path = post_form(first, "/studio/write", "/studio/write", do="save", **ARTICLE)
    other = signed_in(app, make_user(Role.author))
    refused = other.get(path.headers["location"])
    assert refused.status_code == 404 and "text/html" in refused.headers["content-type"]
    assert "Nothing here yet" in other.get("/studio/submissions").text


def test_every_front_matter_field_is_kept_and_checked(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    extra = {"category": "Coast", "series": "Tides", "toc": "on",
             "canonical": "https://elsewhere.example/tides/"}  # fmt: skip
    saved = post_form(author, "/studio/write", "/studio/write", do="save", **ARTICLE, **extra)
    assert saved.status_code == 303, saved.text
    [(sub, rev)] = _submissions(app)
    assert (rev.category, rev.series, rev.canonical, rev.toc) == (
        "Coast", "Tides", "https://elsewhere.example/tides/", True)  # fmt: skip
    text = render_post(revision_fields(rev), slug=sub.slug, date=datetime(2031, 1, 1, tzinfo=UTC))
    for line in ("category: Coast", "series: Tides", "toc: true",
                 "canonical: https://elsewhere.example/tides/"):  # fmt: skip
        assert f"\n{line}\n" in text
    page = author.get(saved.headers["location"]).text
    assert 'value="Coast"' in page and 'name="toc" type="checkbox" value="on" checked' in page
    bad = {**ARTICLE, "canonical": "elsewhere", "slug": "other"}
    refused = post_form(author, "/studio/write", "/studio/write", do="save", **bad)
    assert refused.status_code == 422 and 'href="#canonical"' in refused.text
    assert "must be an absolute http(s) URL" in refused.text


def test_a_mailed_link_opens_the_right_screen_for_each_reader(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    saved = post_form(author, "/studio/write", "/studio/write", do="save", **ARTICLE)
    sub_id = saved.headers["location"].rsplit("/", 1)[1]
    mine = author.get(f"/studio/submissions/{sub_id}", follow_redirects=False)
    assert mine.headers["location"] == f"/studio/write/{sub_id}"
    editor = signed_in(app, make_user(Role.editor))
    theirs = editor.get(f"/studio/submissions/{sub_id}", follow_redirects=False)
    assert theirs.headers["location"] == f"/studio/review/{sub_id}"
