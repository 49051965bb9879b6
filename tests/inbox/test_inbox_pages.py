"""The inbox's HTML pages: plain forms (no JavaScript), CSRF tokens, the whole flow."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from inbox_helpers import csrf as _csrf
from inbox_helpers import form_post as _form_post
from inbox_helpers import version as _version
from PIL import Image

UI = "/api/inbox/ui"


def test_write_submit_approve_and_see_it_live_without_javascript(
    author: Any, editor: Any, work: Any, bucket: Path
) -> None:
    page = author.get(f"{UI}/new").text
    assert "<script" not in page
    preview = _form_post(
        author,
        f"{UI}/new",
        page,
        title="Paged <b>post</b>",
        body="## Intro\n\nHello **pages**.",
        tags="One, Two",
        do="preview",
    )
    assert preview.status_code == 200
    assert 'id="intro"' in preview.text and "<strong>pages</strong>" in preview.text
    assert "Paged &lt;b&gt;post&lt;/b&gt;" in preview.text  # the title stays text

    created = _form_post(
        author,
        f"{UI}/new",
        page,
        title="Paged post",
        body="Hello **pages**.",
        tags="One, Two",
        do="submit",
    )
    assert created.status_code == 303
    detail_url = created.headers["location"]
    mine = author.get(f"{UI}/").text
    assert "Paged post" in mine and "in review" in mine

    queue = editor.get(f"{UI}/queue?status=in_review").text
    assert "Paged post" in queue
    detail = editor.get(detail_url).text
    approved = _form_post(
        editor, f"{detail_url}/do/approve", detail, version=_version(detail), publish_at="", note=""
    )
    assert approved.status_code == 303
    work()

    live = author.get(detail_url).text
    assert "Live at" in live and "https://blog.example.com/posts/paged-post/" in live
    assert (bucket / "posts" / "paged-post" / "index.html").is_file()


def test_forms_without_the_csrf_token_are_refused(author: Any) -> None:
    response = author.post(f"{UI}/new", data={"title": "x", "body": "y", "do": "save"})
    assert response.status_code == 403
    assert "This form has expired" in response.text and "Nothing was changed" in response.text


def test_a_stale_version_shows_the_conflict_on_the_page(author: Any, editor: Any) -> None:
    page = author.get(f"{UI}/new").text
    created = _form_post(author, f"{UI}/new", page, title="Racy", body="Text.", do="submit")
    url = created.headers["location"]
    first = editor.get(url).text
    second = editor.get(url).text
    sent_back = _form_post(
        editor, f"{url}/do/request_changes", first, version=_version(first), note="Shorter, please."
    )
    assert sent_back.status_code == 303
    late = _form_post(editor, f"{url}/do/approve", second, version=_version(second))
    assert late.status_code == 409
    assert "changed by" in late.text and "Reload" in late.text
    assert "Shorter, please." in author.get(url).text


def test_image_upload_is_reencoded_without_exif_and_published_beside_the_article(
    author: Any, editor: Any, settings: Any, work: Any, bucket: Path
) -> None:
    page = author.get(f"{UI}/new").text
    url = _form_post(author, f"{UI}/new", page, title="Pictures", body="x", do="save")
    url = url.headers["location"]
    detail = author.get(url).text
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="JPEG", exif=exif)
    assert b"SecretCam" in buf.getvalue()
    upload = author.post(
        f"{url}/do/image",
        data={"csrf_token": _csrf(detail)},
        files={"image": ("photo.png", buf.getvalue(), "image/png")},  # the name lies
        follow_redirects=False,
    )
    assert upload.status_code == 303
    stored = list((settings.data_dir / "inbox-uploads").rglob("*.jpg"))
    assert len(stored) == 1 and b"SecretCam" not in stored[0].read_bytes()
    assert "/images/inbox/pictures/" in author.get(url).text

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = author.post(
        f"{url}/do/image",
        data={"csrf_token": _csrf(detail)},
        files={"image": ("cat.jpg", svg, "image/jpeg")},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "SVG images are not accepted" in refused.text

    detail = author.get(url).text
    sent = _form_post(author, f"{url}/do/submit", detail, version=_version(detail))
    assert sent.status_code == 303
    detail = editor.get(url).text
    _form_post(editor, f"{url}/do/approve", detail, version=_version(detail))
    work()
    (published,) = (bucket / "images" / "inbox" / "pictures").iterdir()
    assert published.name == stored[0].name
    assert published.read_bytes() == stored[0].read_bytes()
