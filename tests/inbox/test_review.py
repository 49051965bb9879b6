"""The review flow: state machine, optimistic versions, roles, remarks, diff and preview."""

from __future__ import annotations

from typing import Any

from inbox_helpers import POST, approve, create, detail, submit


def _act(client: Any, sub: dict[str, Any], action: str, **body: Any) -> Any:
    return client.post(
        f"/api/inbox/submissions/{sub['id']}/actions/{action}",
        json={"version": sub["version"], **body},
    )


def _revise(client: Any, sub: dict[str, Any], version: int, **fields: Any) -> Any:
    return client.put(
        f"/api/inbox/submissions/{sub['id']}", json={**POST, **fields, "version": version}
    )


def test_two_editors_cannot_silently_overwrite_each_other(author: Any, editor: Any) -> None:
    sub = create(author)
    first = _revise(author, sub, sub["version"], body="My edit from the laptop.\n")
    assert first.status_code == 200, first.text
    # A second tab still shows the old version: its save is refused, not applied.
    stale = _revise(author, sub, sub["version"], body="My edit from the phone.\n")

    assert stale.status_code == 409
    error = stale.json()
    assert error["code"] == "version_conflict"
    assert f"you edited version {sub['version']}" in error["message"]
    assert "Reload" in error["message"]
    assert error["current_version"] == first.json()["version"]
    current = detail(author, sub)["submission"]["revision"]
    assert current["body"] == "My edit from the laptop.\n"

    submitted = _act(author, first.json(), "submit").json()
    stale_approval = approve(editor, {**submitted, "version": submitted["version"] - 1})
    assert stale_approval.status_code == 409
    assert stale_approval.json()["code"] == "version_conflict"


def test_illegal_transitions_are_refused_with_what_is_allowed(author: Any, editor: Any) -> None:
    draft = create(author)
    refused = approve(editor, draft)
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert "draft" in refused.json()["message"] and "in review" in refused.json()["message"]

    in_review = _act(author, draft, "submit").json()
    twice = _act(author, in_review, "submit")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    edit = _revise(author, in_review, in_review["version"], title="Changed while in review")
    assert edit.status_code == 409 and edit.json()["code"] == "invalid_transition"
    assert _act(author, in_review, "reject").status_code == 403  # authors do not review
    assert approve(author, in_review).status_code == 403

    rejected = _act(editor, in_review, "reject", note="Off topic for this blog.").json()
    assert rejected["status"] == "rejected"
    again = _act(author, rejected, "submit")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    history = detail(author, rejected)["history"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("created", "", "draft"),
        ("submit", "draft", "in_review"),
        ("reject", "in_review", "rejected"),
        ("remark", "", ""),
    ]


def test_readers_and_other_authors_cannot_see_submissions(author: Any, user_client: Any) -> None:
    from interactions_api.models.user import Role

    sub = create(author)
    other = user_client(Role.author)
    assert other.get(f"/api/inbox/submissions/{sub['id']}").status_code == 404
    reader = user_client(Role.reader)
    assert reader.get("/api/inbox/submissions").status_code == 403


def test_changes_requested_remarks_answer_and_resubmit(author: Any, editor: Any) -> None:
    sub = submit(author)
    back = _act(editor, sub, "request_changes", note="Please add a summary of the results.")
    assert back.json()["status"] == "changes_requested"
    remarks = detail(author, sub)["remarks"]
    assert [r["body"] for r in remarks] == ["Please add a summary of the results."]
    answer = author.post(
        f"/api/inbox/submissions/{sub['id']}/remarks",
        json={"body": "Added one in the last section.", "parent_id": remarks[0]["id"]},
    )
    assert answer.status_code == 201 and answer.json()["parent_id"] == remarks[0]["id"]
    lone = author.post(f"/api/inbox/submissions/{sub['id']}/remarks", json={"body": "Hi"})
    assert lone.status_code == 403  # authors answer; they do not open threads

    revised = _revise(author, back.json(), back.json()["version"], body="Now with results.\n")
    assert revised.json()["revision"]["number"] == 2
    assert _act(author, revised.json(), "submit").json()["status"] == "in_review"


def test_invalid_front_matter_is_refused_with_the_builders_message(author: Any) -> None:
    response = author.post(
        "/api/inbox/submissions", json={**POST, "cover_src": "/images/a.jpg", "cover_alt": ""}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_post"
    assert "`cover` has no `alt` text" in response.json()["message"]
    clash = create(author, title="Same title")
    assert clash["slug"] == "same-title"
    taken = author.post("/api/inbox/submissions", json={**POST, "title": "Same title"})
    assert taken.status_code == 409 and taken.json()["code"] == "slug_taken"


def test_preview_uses_the_builders_renderer_and_stays_safe(author: Any) -> None:
    response = author.post(
        "/api/inbox/preview",
        json={**POST, "body": "## Part one\n\n<script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert 'id="part-one"' in html  # the builder's heading anchors
    assert "<script>" not in html and 'href="javascript:' not in html


def test_diff_against_the_published_revision(author: Any, editor: Any, work: Any) -> None:
    sub = submit(author)
    approve(editor, sub)
    work()
    live = detail(author, sub)["submission"]
    assert live["status"] == "published"
    edited = _revise(
        author, live, live["version"], title="Hello again", body=POST["body"] + "A new line.\n"
    ).json()
    assert edited["status"] == "draft"  # a published article is edited through review again
    diff = author.get(f"/api/inbox/submissions/{sub['id']}/diff").json()
    assert diff["against"] == 1
    assert diff["fields"] == {"title": ["Hello from the inbox", "Hello again"]}
    assert "+A new line." in diff["body"]
    restored = author.post(
        f"/api/inbox/submissions/{sub['id']}/restore",
        json={"version": edited["version"], "number": 1},
    ).json()
    assert restored["revision"]["number"] == 3
    assert restored["revision"]["title"] == "Hello from the inbox"


def test_previews_and_saves_are_rate_limited(author: Any, make_settings: Any, app: Any) -> None:
    app.state.settings = make_settings(inbox_writes_per_minute=2)
    for _ in range(2):
        assert author.post("/api/inbox/preview", json=POST).status_code == 200
    refused = author.post("/api/inbox/preview", json=POST)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
