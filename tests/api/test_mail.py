"""Mail goes through the RQ job to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.models.user import User
from tests.api.conftest import ORIGIN, PASSWORD, ApiClient, Mailbox, new_client

TOKEN = re.compile(r"\?token=([A-Za-z0-9_.\-]+)")


@pytest.fixture
def settings_overrides(smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    smtp = {
        "smtp_host": smtp_server.host,
        "smtp_port": smtp_server.port,
        "smtp_starttls": False,
        "smtp_from": "Quire <noreply@quire.test>",
    }
    # The worker builds its own Settings from the environment, as in production.
    for name, value in smtp.items():
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return smtp


def text(message: Any) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(payload)


def token_in(message: Any) -> str:
    found = TOKEN.search(text(message))
    assert found, text(message)
    return found.group(1)


def test_mail_is_queued_by_name_with_json(
    client: ApiClient, redis: Any, smtp_server: Mailbox
) -> None:
    client.post(
        "/api/auth/signup",
        json={"email": "queued@example.org", "display_name": "Q", "password": PASSWORD},
    )
    queue = Queue("default", connection=redis, serializer=JSONSerializer)
    [job] = queue.get_jobs()
    assert job.func_name == "interactions_api.worker.jobs.send_mail"
    assert job.kwargs["to"] == "queued@example.org"
    assert smtp_server.messages == []  # nothing is sent from the request itself


def test_a_mail_queued_under_the_old_job_name_is_still_sent(
    redis: Any, smtp_server: Mailbox, run_jobs: Callable[[], int], settings_overrides: Any
) -> None:
    # Jobs were named interactions_api.jobs.* before the worker package: a mail queued by
    # the old release just before an upgrade must reach its reader, not fail in the worker.
    queue = Queue("default", connection=redis, serializer=JSONSerializer)
    queue.enqueue(
        "interactions_api.jobs.send_mail",
        kwargs={"to": "old@example.org", "subject": "Queued before", "body": "Still sent."},
    )
    assert run_jobs() == 1
    [message] = smtp_server.to("old@example.org")
    assert message["Subject"] == "Queued before"


def test_sign_up_mails_a_verification_link_that_verifies(
    client: ApiClient, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> None:
    client.post(
        "/api/auth/signup",
        json={"email": "verify.me@example.org", "display_name": "V", "password": PASSWORD},
    )
    assert run_jobs() == 1
    [message] = smtp_server.to("verify.me@example.org")
    assert message["From"] == "Quire <noreply@quire.test>"
    assert message["Subject"] == "Confirm your email address"
    assert f"{ORIGIN}/api/account/verify?token=" in text(message)

    client.post("/api/auth/signin", json={"email": "verify.me@example.org", "password": PASSWORD})
    assert client.get("/api/auth/me").json()["user"]["email_verified"] is False
    response = client.post("/api/auth/verify", json={"token": token_in(message)})
    assert response.status_code == 200
    assert client.get("/api/auth/me").json()["user"]["email_verified"] is True


def test_a_taken_address_gets_a_notice_not_a_second_account(
    client: ApiClient,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    client.post(
        "/api/auth/signup", json={"email": user.email, "display_name": "X", "password": PASSWORD}
    )
    run_jobs()
    [message] = smtp_server.to(user.email)
    assert "already" in text(message)
    assert "token=" not in text(message)


def test_password_reset_by_mail(
    app: Any,
    client: ApiClient,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    with new_client(app) as other_browser:
        other_browser.post("/api/auth/signin", json={"email": user.email, "password": PASSWORD})
        assert client.post("/api/auth/reset-request", json={"email": user.email}).status_code == 202
        run_jobs()
        [message] = smtp_server.to(user.email)
        assert message["Subject"] == "Reset your password"
        token = token_in(message)

        new_password = "my freshly reset passphrase"
        response = client.post("/api/auth/reset", json={"token": token, "password": new_password})
        assert response.status_code == 200
        assert other_browser.get("/api/auth/me").status_code == 401  # every session ended

    signin = {"email": user.email}
    assert client.post("/api/auth/signin", json={**signin, "password": PASSWORD}).status_code == 401
    assert (
        client.post("/api/auth/signin", json={**signin, "password": new_password}).status_code
        == 200
    )
    again = client.post(
        "/api/auth/reset", json={"token": token, "password": "yet another passphrase"}
    )
    assert (again.status_code, again.json()["code"]) == (400, "invalid_token")


def test_reset_for_an_unknown_address_answers_alike(
    client: ApiClient,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    known = client.post("/api/auth/reset-request", json={"email": user.email})
    unknown = client.post("/api/auth/reset-request", json={"email": "nobody@example.org"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert run_jobs() == 2
    [notice] = smtp_server.to("nobody@example.org")
    assert "no account" in text(notice) and "token=" not in text(notice)


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad-signature"],
)
def test_bad_tokens_are_refused(client: ApiClient, token: str) -> None:
    for path, body in (
        ("/api/auth/verify", {"token": token}),
        ("/api/auth/reset", {"token": token, "password": "a perfectly fine passphrase"}),
    ):
        response = client.post(path, json=body)
        assert (response.status_code, response.json()["code"]) == (400, "invalid_token")


def test_a_verification_token_is_not_a_reset_token(
    client: ApiClient, smtp_server: Mailbox, run_jobs: Callable[[], int]
) -> None:
    client.post(
        "/api/auth/signup",
        json={"email": "mixup@example.org", "display_name": "M", "password": PASSWORD},
    )
    run_jobs()
    verify_token = token_in(smtp_server.to("mixup@example.org")[0])
    response = client.post(
        "/api/auth/reset", json={"token": verify_token, "password": "attacker chosen passphrase"}
    )
    assert response.json()["code"] == "invalid_token"


def test_without_smtp_the_mail_goes_to_the_log(
    make_settings: Callable[..., Any], redis: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from interactions_api.main import create_app

    app = create_app(make_settings(smtp_host=None, env="development"), redis=redis)
    with new_client(app) as c, caplog.at_level(logging.WARNING, logger="quire.mail"):
        c.post(
            "/api/auth/signup",
            json={"email": "dev@example.org", "display_name": "Dev", "password": PASSWORD},
        )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "To: dev@example.org" in logged
    assert "/api/account/verify?token=" in logged
    assert Queue("default", connection=redis, serializer=JSONSerializer).count == 0
