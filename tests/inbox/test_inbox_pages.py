"""The inbox in Studio's plain forms (no JavaScript needed), with the real worker and
bucket: CSRF tokens, a stale version, images, the whole flow to the live page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from inbox_helpers import csrf as _csrf
from inbox_helpers import form_post as _form_post
from inbox_helpers import version as _version
from PIL import Image

WRITE, REVIEW = "/studio/write", "/studio/review"


def _newest(client: Any) -> int:
    """The id of the newest submission the client can see."""
    return max(s["id"] for s in client.get("/api/inbox/submissions").json())


def test_write_submit_approve_and_see_it_live_without_javascript(
    author: Any, editor: Any, work: Any, bucket: Path
) -> None:
    page = author.get(WRITE).text
    preview = _form_post(
        author,
        WRITE,
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
        WRITE,
        page,
        title="Paged post",
        body="Hello **pages**.",
        tags="One, Two",
        do="submit",
    )
    assert created.status_code == 303
    detail_url = f"{REVIEW}/{_newest(author)}"
    mine = author.get(created.headers["location"]).text
    assert "Paged post" in mine and "in review" in mine

    queue = editor.get(f"{REVIEW}?status=in_review").text
    assert "Paged post" in queue
    detail = editor.get(detail_url).text
    approved = _form_post(
        editor, f"{detail_url}/approve", detail, version=_version(detail), publish_at="", note=""
    )
    assert approved.status_code == 303
    work()

    live = author.get("/studio/submissions").text
    assert 'href="https://blog.example.com/posts/paged-post/"' in live
    assert (bucket / "posts" / "paged-post" / "index.html").is_file()


def test_forms_without_the_csrf_token_are_refused(author: Any) -> None:
    response = author.post(WRITE, data={"title": "x", "body": "y", "do": "save"})
    assert response.status_code == 403
    assert "This form has expired" in response.text and "Nothing was changed" in response.text


def test_a_stale_version_shows_the_conflict_on_the_page(author: Any, editor: Any) -> None:
    page = author.get(WRITE).text
    _form_post(author, WRITE, page, title="Racy", body="Text.", do="submit")
    url = f"{REVIEW}/{_newest(author)}"
    first = editor.get(url).text
    second = editor.get(url).text
    sent_back = _form_post(
        editor, f"{url}/request_changes", first, version=_version(first), note="Shorter, please."
    )
    assert sent_back.status_code == 303
    late = _form_post(editor, f"{url}/approve", second, version=_version(second))
    assert late.status_code == 409
    assert "changed by" in late.text and "Reload" in late.text
    assert "Shorter, please." in author.get(url.replace(REVIEW, WRITE)).text


def test_image_upload_is_reencoded_without_exif_and_published_beside_the_article(
    author: Any, editor: Any, settings: Any, work: Any, bucket: Path
) -> None:
    page = author.get(WRITE).text
    url = _form_post(author, WRITE, page, title="Pictures", body="x", do="save")
    url = url.headers["location"]
    detail = author.get(url).text
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="JPEG", exif=exif)
    assert b"SecretCam" in buf.getvalue()
    upload = author.post(
        f"{url}/image",
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
        f"{url}/image",
        data={"csrf_token": _csrf(detail)},
        files={"image": ("cat.jpg", svg, "image/jpeg")},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "SVG images are not accepted" in refused.text

    detail = author.get(url).text
    fields = {"title": "Pictures", "body": "x", "version": _version(detail), "do": "submit"}
    sent = _form_post(author, url, detail, **fields)
    assert sent.status_code == 303
    review = url.replace(WRITE, REVIEW)
    detail = editor.get(review).text
    _form_post(editor, f"{review}/approve", detail, version=_version(detail))
    work()
    (published,) = (bucket / "images" / "inbox" / "pictures").iterdir()
    assert published.name == stored[0].name
    assert published.read_bytes() == stored[0].read_bytes()
