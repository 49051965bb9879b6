"""Studio's review and build screens without a browser: the queue's filters and counts,
the side-by-side diff, remarks, approve now or at a time, request changes, reject, CSRF,
and the build history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import Session, select
from studio_forms import csrf, post_form, signed_in, version

from interactions_api.models.inbox import BuildRecord, Revision, Submission
from interactions_api.models.user import Role

ARTICLE = {"title": "Tide tables", "body": "Low tide at noon.\n\nHigh tide at six.\n"}


def _submitted(app: FastAPI, author: Any, **fields: Any) -> str:
    """An article written and submitted through the author's form; its review path."""
    data = {**ARTICLE, **fields}
    answer = post_form(author, "/studio/write", "/studio/write", do="submit", **data)
    assert answer.status_code == 303, answer.text
    with Session(app.state.engine) as db:
        newest = db.exec(select(func.max(Submission.id))).one()
    return f"/studio/review/{newest}"


def _published(app: FastAPI, path: str) -> None:
    """As if the worker had published the current revision."""
    with Session(app.state.engine) as db:
        sub = db.get(Submission, int(path.rsplit("/", 1)[1]))
        assert sub is not None
        sub.status, sub.published_revision_id = "published", sub.current_revision_id
        sub.version += 1
        db.add(sub)
        db.commit()


def _sub(app: FastAPI, path: str) -> tuple[Submission, Revision]:
    with Session(app.state.engine) as db:
        sub = db.get(Submission, int(path.rsplit("/", 1)[1]))
        assert sub is not None
        rev = db.get(Revision, sub.current_revision_id)
        assert rev is not None
        return sub, rev


def test_the_queue_filters_by_status_and_author_with_counts(app: FastAPI, make_user: Any) -> None:
    ann = signed_in(app, make_user(Role.author, display_name="Ann"))
    bob = signed_in(app, make_user(Role.author, display_name="Bob"))
    _submitted(app, ann, title="Ann one", slug="ann-one")
    post_form(ann, "/studio/write", "/studio/write", do="save", **ARTICLE, slug="ann-draft")
    _submitted(app, bob, title="Bob one", slug="bob-one")
    editor = signed_in(app, make_user(Role.editor))
    queue = editor.get("/studio/review")
    assert queue.status_code == 200 and "Ann one" in queue.text and "Bob one" in queue.text
    assert "Tide tables" not in queue.text, "drafts are not in review"
    assert 'in review <span class="s-badge">2</span>' in queue.text
    assert 'draft <span class="s-badge">1</span>' in queue.text
    with Session(app.state.engine) as db:  # the author filter takes the account id
        first = db.get(Submission, 1)
        assert first is not None
    only_ann = editor.get(f"/studio/review?status=all&author={first.author_id}").text
    assert "Ann one" in only_ann and "Tide tables" in only_ann and "Bob one" not in only_ann
    assert signed_in(app, make_user(Role.author)).get("/studio/review").status_code == 403


def test_the_diff_shows_the_revision_beside_the_live_article(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author))
    path = _submitted(app, author)
    editor = signed_in(app, make_user(Role.editor))
    page = editor.get(path).text
    assert "nothing published yet" in page and "Not published yet." in page
    assert "s-changed" not in page and "<p>High tide at six.</p>" in page, "all new: no marks"
    _published(app, path)
    edit = path.replace("review", "write")
    mine = author.get(edit).text
    fields = {
        **ARTICLE,
        "title": "Tide tables, updated",
        "version": version(mine),
        "body": "Low tide at noon.\n\nHigh tide at seven.\n",
    }
    resubmitted = author.post(edit, data={"csrf_token": csrf(mine), "do": "submit", **fields})
    assert resubmitted.status_code == 200, resubmitted.text
    page = editor.get(path).text
    assert "against the live article (revision 1)" in page
    assert "<p>Low tide at noon.</p>" in page.split('<div class="s-changed')[0], "unchanged: plain"
    hidden = '<span class="s-visually-hidden">'
    assert f'<div class="s-changed s-removed">{hidden}removed:</span><p>High tide at six.' in page
    assert f'<div class="s-changed s-added">{hidden}added:</span><p>High tide at seven.' in page
    assert "Tide tables, updated" in page


def test_request_changes_then_approve_at_a_time(app: FastAPI, make_user: Any) -> None:
    author = signed_in(app, make_user(Role.author, display_name="Ann"))
    path = _submitted(app, author)
    editor = signed_in(app, make_user(Role.editor, display_name="Ed"))
    page = editor.get(path).text
    changes = editor.post(
        f"{path}/request_changes",
        follow_redirects=False,
        data={"csrf_token": csrf(page), "version": version(page), "note": "Say which beach."},
    )
    assert changes.status_code == 303 and changes.headers["location"] == "/studio/review"
    assert _sub(app, path)[0].status == "changes_requested"
    mine = author.get(path.replace("review", "write")).text
    assert "Say which beach." in mine and 'id="remarks"' in mine
    answered = author.post(
        path.replace("review", "write") + "/remark",
        follow_redirects=False,
        data={"csrf_token": csrf(mine), "parent_id": "1", "note": "Brighton."},
    )
    assert answered.status_code == 303
    resubmit = {**ARTICLE, "csrf_token": csrf(mine), "version": version(mine), "do": "submit"}
    assert (
        author.post(
            path.replace("review", "write"), data=resubmit, follow_redirects=False
        ).status_code
        == 303
    )
    page = editor.get(path).text
    assert "Brighton." in page and page.index("Say which beach.") < page.index("Brighton.")
    stale = editor.post(f"{path}/approve", data={"csrf_token": csrf(page), "version": "1"})
    assert stale.status_code == 409 and "after you opened it" in stale.text
    bad = editor.post(
        f"{path}/approve",
        data={"csrf_token": csrf(page), "version": version(page), "publish_at": "soon"},
    )
    assert bad.status_code == 422 and "is not a date and time" in bad.text
    approved = editor.post(
        f"{path}/approve",
        follow_redirects=False,
        data={"csrf_token": csrf(page), "version": version(page), "publish_at": "2031-01-02T03:04"},
    )
    assert approved.status_code == 303
    sub, _rev = _sub(app, path)
    assert sub.status == "scheduled"
    assert sub.publish_at is not None
    assert sub.publish_at.replace(tzinfo=UTC) == datetime(2031, 1, 2, 3, 4, tzinfo=UTC)
    assert "Approved; the site rebuilds now." in editor.get("/studio/review").text


def test_reject_and_forms_without_a_token(app: FastAPI, make_user: Any) -> None:
    path = _submitted(app, signed_in(app, make_user(Role.author)))
    editor = signed_in(app, make_user(Role.editor))
    for action in ("approve", "reject", "request_changes", "remark"):
        refused = editor.post(f"{path}/{action}", data={"csrf_token": "forged", "version": "2"})
        assert refused.status_code == 403 and "This form has expired" in refused.text
    page = editor.get(path).text
    rejected = editor.post(
        f"{path}/reject",
        data={"csrf_token": csrf(page), "version": version(page), "note": "Off topic."},
    )
    assert rejected.status_code == 200 and _sub(app, path)[0].status == "rejected"
    assert "Nothing to decide: it is rejected." in editor.get(path).text
    empty = editor.post(f"{path}/remark", data={"csrf_token": csrf(page), "note": " "})
    assert empty.status_code == 422 and "between 1 and 10000 characters" in empty.text


def test_the_build_history_lists_builds_and_shows_a_log(app: FastAPI, make_user: Any) -> None:
    with Session(app.state.engine) as db:
        db.add(
            BuildRecord(
                site="main",
                status="succeeded",
                pages_changed=7,
                uploads=9,
                seconds=2.25,
                log="rendered 7 pages\n<script>x</script>",
            )
        )
        db.add(BuildRecord(site="main", status="failed", errors=["content/posts/a.md:3: bad"]))
        db.commit()
    editor = signed_in(app, make_user(Role.editor))
    listing = editor.get("/studio/builds").text
    assert listing.index("Build 2") < listing.index("Build 1"), "newest first"
    assert ">succeeded</span>" in listing and ">failed</span>" in listing and "2.2 s" in listing
    one = editor.get("/studio/builds/1").text
    assert "rendered 7 pages\n&lt;script&gt;x&lt;/script&gt;" in one
    assert "content/posts/a.md:3: bad" in editor.get("/studio/builds/2").text
    assert editor.get("/studio/builds/99").status_code == 404
    assert signed_in(app, make_user(Role.author)).get("/studio/builds").status_code == 403
