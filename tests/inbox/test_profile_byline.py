"""A profile change in Studio republishes the author page and bylines of someone who has
published (issue 22): the real build job, content repository and bucket."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

from inbox_helpers import approve, builds, create, csrf, form_post

from interactions_api.services.contentrepo import ContentRepo

PROFILE = "/studio/account/profile"


def _publish(author: Any, editor: Any, work: Any, title: str) -> None:
    sub = create(author, title=title)
    sent = author.post(
        f"/api/inbox/submissions/{sub['id']}/actions/submit", json={"version": sub["version"]}
    )
    approve(editor, sent.json())
    work()


def test_a_new_display_name_reaches_the_published_site(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo, engine: Any
) -> None:
    _publish(author, editor, work, "Words of mine")
    page = author.get(PROFILE).text
    fields = {"display_name": "Ada Renamed", "bio": "Now with a bio.", "website": ""}
    saved = form_post(author, PROFILE, page, **fields)
    assert saved.status_code == 303
    assert "author page and bylines are being updated" in author.get(PROFILE).text
    before = len(builds(engine))
    work()
    assert len(builds(engine)) == before + 1
    html = (bucket / "posts" / "words-of-mine" / "index.html").read_text(encoding="utf-8")
    byline = re.search(r'class="p-author" href="[^"]+">([^<]+)</a>', html)
    assert byline and unescape(byline.group(1)) == "Ada Renamed"
    authors = content_repo.read("authors.toml")
    assert authors is not None and b'name = "Ada Renamed"' in authors
    assert b'bio = "Now with a bio."' in authors


def test_a_profile_change_of_someone_unpublished_owes_no_build(
    author: Any, work: Any, engine: Any
) -> None:
    page = author.get(PROFILE).text
    saved = form_post(author, PROFILE, page, display_name="Quiet", bio="", website="")
    assert saved.status_code == 303
    assert "being updated" not in author.get(PROFILE).text
    before = len(builds(engine))
    work()
    assert len(builds(engine)) == before


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 90)).save(out, format="PNG")
    return out.getvalue()


def test_an_avatar_reaches_the_author_page(
    author: Any, editor: Any, work: Any, bucket: Path, content_repo: ContentRepo
) -> None:
    _publish(author, editor, work, "Pictured")
    page = author.get(PROFILE).text
    fields = {"csrf_token": csrf(page), "display_name": "Ada", "bio": "", "website": ""}
    saved = author.post(PROFILE, data=fields, files={"avatar": ("me.png", _png(), "image/png")},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, saved.text
    shown = author.get(PROFILE).text
    assert 'alt="Your current avatar"' in shown
    assert author.get("/studio/account/avatar").headers["content-type"] == "image/png"
    work()
    authors = (content_repo.read("authors.toml") or b"").decode()
    found = re.search(r'avatar = "(/images/authors/user-\d+-[0-9a-f]{16}\.png)"', authors)
    assert found, authors
    assert content_repo.read("static" + found.group(1)) is not None
    assert (bucket / found.group(1).lstrip("/")).is_file()
    key = found.group(1).split("/")[-1].rsplit("-", 1)[0]  # user-<id>
    author_page = bucket / "authors" / key / "index.html"
    assert found.group(1) in author_page.read_text(encoding="utf-8")


def test_a_file_that_is_no_image_is_refused_by_field(author: Any) -> None:
    page = author.get(PROFILE).text
    fields = {"csrf_token": csrf(page), "display_name": "Changed", "bio": "", "website": ""}
    upload = {"avatar": ("me.png", b"not an image", "image/png")}
    refused = author.post(PROFILE, data=fields, files=upload, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="avatar-error">me.png: not a readable JPEG, PNG, GIF or WebP image.' in refused.text
    assert "Changed" not in author.get("/api/me/profile").text, "nothing is saved"
