"""Reply notifications: opt-in per comment, plain text, through the mail job to real SMTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from fastapi import FastAPI
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.models.user import Role, User
from tests.api.api_client import ORIGIN, ApiClient, new_client
from tests.api.conftest import Mailbox, sign_in

THREAD = "hello-world"
HOSTILE = 'Hi <script>alert("x")</script> **bold** [x](javascript:alert(1))'


@pytest.fixture
def people(
    app: FastAPI, manifest: Callable[..., Any], make_user: Callable[..., User]
) -> Iterator[Callable[..., ApiClient]]:
    """`people("Ada")`: a signed-in reader with that display name."""
    manifest(THREAD)
    made: list[ApiClient] = []

    def _make(name: str, role: Role = Role.reader) -> ApiClient:
        user = make_user(role, display_name=name)
        client = new_client(app)
        made.append(client)
        sign_in(client, user)
        client.user = user
        return client

    yield _make
    for client in made:
        client.close()


def comment(client: ApiClient, body: str, **extra: Any) -> dict[str, Any]:
    """Post a comment that must be accepted; its JSON."""
    response = client.post(f"/api/threads/{THREAD}/comments", json={"body": body, **extra})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def text(message: Message) -> str:
    """The decoded plain-text body of a mail."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def unsubscribe_link(message: Message) -> str:
    """The link of the List-Unsubscribe header (<https://...>)."""
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<https://blog.example.com/api/comments/unsubscribe?token=")
    return header.strip("<>").removeprefix("https://blog.example.com")


def test_a_reply_mails_the_author_who_asked_in_plain_text(
    people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int], redis: Any
) -> None:
    ada, bob = people("Ada"), people("Bob <b>")
    first = comment(ada, "What do you think?", notify_replies=True)
    reply = comment(bob, HOSTILE, parent_id=first["id"])

    [job] = Queue("default", connection=redis, serializer=JSONSerializer).get_jobs()
    assert job.func_name == "interactions_api.worker.jobs.send_mail"  # by name, JSON serializer
    assert run_jobs() == 1
    [message] = smtp_server.messages
    assert message["To"] == ada.user.email
    assert message["Subject"] == "New reply to your comment on Post hello-world"
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    body = text(message)
    assert "Hello Ada," in body
    assert "Bob <b> replied to your comment" in body  # the name as text, not markup
    assert f"> {HOSTILE}" in body  # the reply's own words, quoted verbatim as text
    assert f"https://blog.example.com/posts/{THREAD}/#comment-{reply['id']}" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_link(message).replace("/api", "https://blog.example.com/api", 1) in body
    assert bob.user.email not in str(message)


def test_no_mail_without_opt_in_or_for_a_reply_to_oneself(
    people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> None:
    ada, bob = people("Ada"), people("Bob")
    quiet = comment(ada, "No mails please")
    asked = comment(ada, "Mail me", notify_replies=True)
    comment(bob, "A reply nobody is told about", parent_id=quiet["id"])
    comment(ada, "Replying to myself", parent_id=asked["id"])
    assert run_jobs() == 0
    assert smtp_server.messages == []


def _a_reply_mail(
    people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> tuple[Any, dict[str, Any], str]:
    """Ada asks to hear of replies, Bob replies: Bob, Ada's comment and the mail's link."""
    ada, bob = people("Ada"), people("Bob")
    first = comment(ada, "Tell me", notify_replies=True)
    comment(bob, "One", parent_id=first["id"])
    run_jobs()
    return bob, first, unsubscribe_link(smtp_server.messages[0])


def test_one_click_unsubscribe_stops_the_mails(
    app: FastAPI, people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> None:
    bob, first, link = _a_reply_mail(people, smtp_server, run_jobs)

    with ApiClient(app, base_url=ORIGIN) as mail_client:  # no Origin, no cookie
        # The link opens a confirmation page; following it (as scanners do) changes nothing.
        page = mail_client.get(link)
        assert page.status_code == 200 and '<form method="post"' in page.text
        comment(bob, "Two", parent_id=first["id"])
        assert run_jobs() == 1

        # RFC 8058: the mail provider POSTs the form body, with no cookie and no origin.
        done = mail_client.post(
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200, done.text
        assert "no more mails" in done.text
        assert mail_client.post(link, json={}).status_code == 200  # again: still fine

    comment(bob, "Three", parent_id=first["id"])
    assert run_jobs() == 0
    assert len(smtp_server.messages) == 2


def test_an_expired_or_forged_link_is_refused(
    people: Any,
    client: ApiClient,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from interactions_api.models.common import utcnow
    from interactions_api.services import replies

    ada, bob = people("Ada"), people("Bob")
    first = comment(ada, "Tell me", notify_replies=True)
    # A mail sent 31 days ago: its link (valid 30 days by default) has expired since.
    with monkeypatch.context() as patch:
        patch.setattr(replies, "utcnow", lambda: utcnow() - timedelta(days=31))
        comment(bob, "Old reply", parent_id=first["id"])
    run_jobs()
    old = unsubscribe_link(smtp_server.messages[0])
    for answer in (client.get(old), client.post(old, json={})):
        assert answer.status_code == 400
        assert "expired" in answer.text

    token = old.split("token=", 1)[1]
    forged = old.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    assert client.post(forged, json={}).status_code == 400
    comment(bob, "Still told", parent_id=first["id"])
    assert run_jobs() == 1  # the refused links turned nothing off


class TestModerated:
    """With moderation, the mail waits until an editor publishes the reply."""

    @pytest.fixture
    def settings_overrides(self, settings_overrides: dict[str, Any]) -> dict[str, Any]:
        return {**settings_overrides, "moderation": "all"}

    def test_the_mail_goes_when_the_reply_is_approved(
        self, people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int]
    ) -> None:
        ada, bob, eve = people("Ada"), people("Bob"), people("Eve", Role.editor)
        first = comment(eve, "An editor's comment is published at once", notify_replies=True)
        reply = comment(bob, "Waiting for review", parent_id=first["id"])
        assert reply["status"] == "pending"
        assert run_jobs() == 0

        url = f"/api/moderation/comments/{reply['id']}/approve"
        assert eve.post(url, json={}).status_code == 200
        assert run_jobs() == 1
        assert smtp_server.to(eve.user.email)[0]["Subject"].startswith("New reply")
        assert eve.post(url, json={}).status_code == 200  # approving again sends nothing new
        assert run_jobs() == 0
        assert ada.user.email not in str(smtp_server.messages[0])


def test_the_unsubscribe_link_is_rate_limited_per_address(
    app: FastAPI, people: Any, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> None:
    bob, first, link = _a_reply_mail(people, smtp_server, run_jobs)
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    limit = app.state.settings.unsubscribes_per_minute
    with ApiClient(app, base_url=ORIGIN) as hammer:  # someone guessing tokens
        answers = [hammer.post(forged, json={}).status_code for _ in range(limit)]
        assert answers == [400] * limit
        refused = hammer.get(link)  # even a good link waits now, page or one-click
        assert refused.status_code == 429 and "wait a minute" in refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert hammer.post(link, json={}).status_code == 429
    comment(bob, "Two", parent_id=first["id"])
    assert run_jobs() == 1  # nothing was turned off
