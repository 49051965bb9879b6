"""What a new author does (issue 19 items 4, 5, 7): upload an image, then place it by
editing the post; see the post live under their own name; submit a new post at once.

Real parts: the JSON API and the HTML inbox, the real build job (rq), the content
repository, the local bucket, and aiosmtpd for the mail.
"""

from __future__ import annotations

import io
import re
import tomllib
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from inbox_helpers import approve, create, detail, mail_overrides
from inbox_helpers import csrf as _csrf
from inbox_helpers import form_post as _form_post
from inbox_helpers import send_mail as _send_mail
from inbox_helpers import version as _version
from PIL import Image

from interactions_api.models.user import User
from interactions_api.services.bylines import with_author
from interactions_api.services.contentrepo import ContentRepo

WRITE = "/studio/write"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], smtp_server: Any) -> dict[str, Any]:
    """Mail goes to the test's SMTP server."""
    return mail_overrides(settings_overrides, smtp_server)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 16), "teal").save(buf, format="PNG")
    return buf.getvalue()


def _draft(author: Any, title: str) -> str:
    """Save a new draft with the HTML form; returns its page's URL."""
    page = author.get(WRITE).text
    saved = _form_post(author, WRITE, page, title=title, body="x", do="save")
    assert saved.status_code == 303
    return str(saved.headers["location"])


def _edit_and_submit(author: Any, url: str, title: str, body: str) -> Any:
    """Save a new revision with the edit form's "Save and submit"."""
    form = author.get(url).text
    fields = {"title": title, "body": body, "version": _version(form), "do": "submit"}
    return _form_post(author, url, form, **fields)


def _assert_image_published(
    bucket: Path, repo: ContentRepo, slug: str, url: str, page_html: str
) -> None:
    name = url.rsplit("/", 1)[1]
    assert url in page_html, "the edited text places the image"
    assert (bucket / "images" / "inbox" / slug / name).is_file(), "the image is in the bucket"
    assert (
        repo.read(f"static/images/inbox/{slug}/{name}")
        == (bucket / "images" / "inbox" / slug / name).read_bytes()
    ), "the image is committed with the article"


def test_an_image_uploaded_then_placed_by_an_edit_is_published_json(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo
) -> None:
    sub = create(author, title="Edited picture", body="Text first.")
    uploaded = author.post(
        f"/api/inbox/submissions/{sub['id']}/images",
        data={"csrf_token": _csrf(author.get(WRITE).text)},  # a session's form
        files={"file": ("teal.png", _png(), "image/png")},
    )
    assert uploaded.status_code == 201, uploaded.text
    url = uploaded.json()["url"]
    edited = author.put(
        f"/api/inbox/submissions/{sub['id']}",
        json={"title": "Edited picture", "body": f"Now with ![a teal box]({url}).", "version": 1},
    )
    assert edited.status_code == 200, edited.text
    sent = author.post(
        f"/api/inbox/submissions/{sub['id']}/actions/submit",
        json={"version": edited.json()["version"]},
    )
    assert sent.status_code == 200, sent.text
    assert approve(editor, sent.json()).status_code == 200
    work()
    html = (bucket / "posts" / "edited-picture" / "index.html").read_text(encoding="utf-8")
    _assert_image_published(bucket, content_repo, "edited-picture", url, html)
    assert [i["url"] for i in detail(author, sub)["images"]] == [url], "the submission's images"


def test_an_image_uploaded_then_placed_by_an_edit_is_published_html(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo
) -> None:
    url = _draft(author, "Form picture")
    detail = author.get(url).text
    upload = author.post(
        f"{url}/image",
        data={"csrf_token": _csrf(detail)},
        files={"image": ("teal.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    match = re.search(r"/images/inbox/form-picture/[0-9a-f]{16}\.png", author.get(url).text)
    assert match, "the detail page lists the upload"
    saved = _edit_and_submit(author, url, "Form picture", f"Placed: ![teal]({match.group(0)})")
    assert saved.status_code == 303, saved.text
    assert match.group(0) in author.get(url).text, "the new revision still has the image"
    review = url.replace(WRITE, "/studio/review")
    detail = editor.get(review).text
    _form_post(editor, f"{review}/approve", detail, version=_version(detail))
    work()
    html = (bucket / "posts" / "form-picture" / "index.html").read_text(encoding="utf-8")
    _assert_image_published(bucket, content_repo, "form-picture", match.group(0), html)


def test_the_byline_and_author_page_are_the_submitting_account(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo
) -> None:
    name, bio = 'Grace "Amazing" Ñandú', "Writes about \\ compilers."
    profile = {"display_name": name, "bio": bio, "website": "https://grace.example.org/"}
    assert author.patch("/api/me/profile", json=profile).status_code == 200
    sub = create(author, title="My own words")
    sent = author.post(
        f"/api/inbox/submissions/{sub['id']}/actions/submit", json={"version": sub["version"]}
    )
    approve(editor, sent.json())
    work()
    html = (bucket / "posts" / "my-own-words" / "index.html").read_text(encoding="utf-8")
    assert "Ada Lovelace" not in html
    byline = re.search(r'class="p-author" href="([^"]+)">([^<]+)</a>', html)
    assert byline and unescape(byline.group(2)) == name
    path = urlsplit(byline.group(1)).path.strip("/")
    author_page = unescape((bucket / path / "index.html").read_text(encoding="utf-8"))
    assert name in author_page and bio in author_page and "My own words" in author_page
    assert "https://grace.example.org/" in author_page
    authors_toml = content_repo.read("authors.toml")
    assert authors_toml is not None and b"[ada]" in authors_toml, "the site's authors stay"


def test_an_account_entry_is_replaced_not_repeated() -> None:
    site = (
        '# Authors\n[ada]\nname = "Ada"\n\n'
        '[user-7]\nname = "Old"\nbio = "x"\n\n[grace]\nname = "G"\n'
    )
    text = with_author(site, User(id=7, email="w@example.org", display_name="New\tName"))
    data = tomllib.loads(text)
    assert data == {"ada": {"name": "Ada"}, "user-7": {"name": "NewName"}, "grace": {"name": "G"}}
    assert text.startswith("# Authors\n")
    fresh = with_author(None, User(id=8, email="v@example.org", display_name="V"))
    assert tomllib.loads(fresh) == {"user-8": {"name": "V"}}


def test_save_and_submit_of_a_new_post_mails_editors_once(
    author: Any, editor: Any, redis: Any, smtp_server: Any, worker_env: None
) -> None:
    page = author.get(WRITE).text
    created = _form_post(author, WRITE, page, title="Straight in", body="Go.", do="submit")
    assert created.status_code == 303
    _send_mail(redis)
    mails = smtp_server.to(editor.user.email)
    assert [m["Subject"] for m in mails] == ["To review: Straight in"]


def test_save_and_submit_of_an_edit_mails_editors_once(
    author: Any, editor: Any, redis: Any, smtp_server: Any, worker_env: None
) -> None:
    url = _draft(author, "Edit then in")
    sent = _edit_and_submit(author, url, "Edit then in", "y")
    assert sent.status_code == 303
    _send_mail(redis)
    mails = smtp_server.to(editor.user.email)
    assert [m["Subject"] for m in mails] == ["To review: Edit then in"]
